import { Readable } from 'node:stream';
import type { Endpoint } from '@pincer/api';
import type { ArtifactRef } from '@pincer/nodes';
import { sessionUserFromCookies } from '../auth/session.ts';
import { errorResponse } from './errors.ts';
import { pathParams, type RequestOf, type RouteContext } from './handler.ts';

// Media types a browser may show inline; anything else (HTML, SVG, scripts) is a download, so a
// page a step captured (or a file sent by chat) cannot run in the studio's origin.
const INLINE = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain|application\/json)$/;

/** A stored file as an HTTP answer: inline only for harmless types, never sniffed, sandboxed. */
export function fileResponse(ref: ArtifactRef, body: Readable): Response {
  const disposition = INLINE.test(ref.mediaType) ? 'inline' : 'attachment';
  // Streamed from the store (disk or S3), never whole in memory.
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': ref.mediaType,
      'Content-Length': String(ref.size),
      'Content-Disposition': `${disposition}; filename="${ref.name}"; filename*=UTF-8''${encodeURIComponent(ref.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=3600',
      ETag: `"${ref.sha256}"`,
    },
  });
}

/**
 * A file download with a bearer token (API, CLI) or, for the studio's pages, a signed-in session:
 * `withToken` is the endpoint's handler (token and role checked); `download` runs directly, with
 * the path parameters parsed by the spec, for a session's user.
 */
export function withTokenOrSession<E extends Endpoint>(
  spec: E,
  withToken: (request: Request, route: RouteContext) => Promise<Response>,
  download: (params: RequestOf<E>['params']) => Promise<Response>,
) {
  return async (request: Request, route: RouteContext): Promise<Response> => {
    if (request.headers.has('authorization')) return withToken(request, route);
    try {
      const cookies = (request.headers.get('cookie') ?? '')
        .split(';')
        .map((pair) => pair.trim())
        .filter((pair) => pair.includes('='))
        .map((pair) => {
          const at = pair.indexOf('=');
          return { name: pair.slice(0, at), value: decodeURIComponent(pair.slice(at + 1)) };
        });
      const user = cookies.length > 0 ? await sessionUserFromCookies(cookies) : null;
      if (!user) return withToken(request, route);
      return await download(pathParams(spec, await route.params));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
