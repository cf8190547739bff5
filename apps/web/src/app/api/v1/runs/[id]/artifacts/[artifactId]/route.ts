import * as api from '../../../../../../../lib/api/endpoints.ts';
import { ApiError, errorResponse } from '../../../../../../../lib/api/errors.ts';
import { handler, pathParams, type RouteContext } from '../../../../../../../lib/api/handler.ts';
import { sessionUserFromCookies } from '../../../../../../../lib/auth/session.ts';
import { getArtifacts } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

// Media types a browser may show inline; anything else (HTML, SVG, scripts) is a download, so a
// page a step captured cannot run in the studio's origin.
const INLINE = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain|application\/json)$/;

async function download(rawParams: Record<string, string>): Promise<Response> {
  const { id, artifactId } = pathParams(api.getArtifact, api.getArtifact.params, rawParams);
  const artifacts = await getArtifacts();
  const found = await artifacts.read(artifactId);
  // An artifact of another run is not found here: its id alone must not reach it.
  if (!found?.ref.url.startsWith(`/api/v1/runs/${id}/`)) {
    throw new ApiError(
      404,
      'artifact_not_found',
      `Run ${id} has no artifact ${artifactId}: see the run's artifacts.`,
    );
  }
  const { ref, data } = found;
  const disposition = INLINE.test(ref.mediaType) ? 'inline' : 'attachment';
  return new Response(new Uint8Array(data), {
    headers: {
      'Content-Type': ref.mediaType,
      'Content-Length': String(data.byteLength),
      'Content-Disposition': `${disposition}; filename="${ref.name}"; filename*=UTF-8''${encodeURIComponent(ref.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=3600',
      ETag: `"${ref.sha256}"`,
    },
  });
}

const withToken = handler(api.getArtifact, async ({ rawParams }) => download(rawParams));

/** With a bearer token (API, CLI) or, for the studio's run page, a signed-in session. */
export async function GET(request: Request, route: RouteContext): Promise<Response> {
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
    return await download(await route.params);
  } catch (error) {
    return errorResponse(error);
  }
}
