import { lookup } from 'node:dns/promises';
import path from 'node:path';
import { privateAddressGuard } from '@pincer/nodes';
import { ChannelError, httpFailure } from './adapter.ts';
import type { Platform } from './message.ts';

/** A file a chat message brought, fetched from its platform. */
export interface FetchedFile {
  name: string;
  mediaType: string;
  data: Buffer;
}

/** Redirects followed before a download gives up. */
const MAX_REDIRECTS = 3;
const DOWNLOAD_TIMEOUT_MS = 120_000;
const NO_PRIVATE_HOSTS = privateAddressGuard([]);

/** The refusal of a file bigger than the cap: trying again cannot help. */
export function tooLarge(platform: Platform, name: string, size: number | undefined, maxBytes: number) {
  const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  const limit = `files sent by ${platform} may have at most ${megabytes(maxBytes)} (channels.maxAttachmentBytes)`;
  return new ChannelError(
    'too_large',
    size !== undefined
      ? `"${name}" is ${megabytes(size)}; ${limit}`
      : `"${name}" is bigger than ${megabytes(maxBytes)}; ${limit}`,
    false,
  );
}

/** Refuses a host that resolves to a loopback, private or link-local address. */
async function refusePrivate(url: URL, platform: Platform): Promise<void> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = await lookup(hostname, { all: true }).catch(() => {
    throw new ChannelError('unavailable', `${platform} file download: ${hostname} does not resolve`, true);
  });
  for (const { address } of addresses) {
    const refusal = NO_PRIVATE_HOSTS.refusal(address);
    if (refusal)
      throw new ChannelError(
        'rejected',
        `${platform} file download was redirected to ${hostname}, ${refusal}: refused`,
        false,
      );
  }
}

/**
 * Downloads a platform's file, at most `maxBytes` (counted while the bytes stream in, whatever
 * Content-Length says). The first URL must be on one of the platform's own origins (its API or
 * file host), which alone get `headers` (the token); a redirect elsewhere goes without them and
 * never to a private address. Error messages name no URL: Telegram's carry the token.
 */
export async function downloadCapped(
  start: URL,
  options: {
    platform: Platform;
    name: string;
    maxBytes: number;
    trustedOrigins: readonly string[];
    headers?: Record<string, string>;
  },
): Promise<{ data: Buffer; mediaType: string | undefined }> {
  const { platform } = options;
  if (!options.trustedOrigins.includes(start.origin))
    throw new ChannelError(
      'rejected',
      `${platform} file "${options.name}" is at ${start.origin}, not on ${platform}'s file hosts: not fetched`,
      false,
    );
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const trusted = options.trustedOrigins.includes(url.origin);
    if (!trusted) await refusePrivate(url, platform);
    const response = await fetch(url, {
      redirect: 'manual',
      headers: trusted ? (options.headers ?? {}) : {},
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    }).catch((error: unknown) => {
      throw new ChannelError(
        'unavailable',
        `${platform} file download failed: ${error instanceof Error ? error.message : String(error)}`,
        true,
      );
    });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      const seconds = Number(response.headers.get('retry-after'));
      throw httpFailure(
        response.status,
        `${platform} file download of "${options.name}" answered HTTP ${response.status}`,
        seconds > 0 ? seconds * 1000 : undefined,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > options.maxBytes) {
      await response.body?.cancel();
      throw tooLarge(platform, options.name, declared, options.maxBytes);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > options.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw tooLarge(platform, options.name, undefined, options.maxBytes);
      }
      chunks.push(Buffer.from(chunk));
    }
    return {
      data: Buffer.concat(chunks),
      mediaType: response.headers.get('content-type')?.split(';')[0]?.trim() || undefined,
    };
  }
  throw new ChannelError(
    'rejected',
    `${platform} file download redirected more than ${MAX_REDIRECTS} times`,
    false,
  );
}

const MEDIA_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.mp3': 'audio/mpeg',
};

/** The media type a file name suggests; the platform's word wins where it gave one. */
export function mediaTypeOf(name: string, ...given: (string | undefined)[]): string {
  const said = given.find((type) => type && type !== 'application/octet-stream');
  return said ?? MEDIA_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}
