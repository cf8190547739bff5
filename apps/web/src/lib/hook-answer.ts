/**
 * A webhook's answer is written by a workflow (its respond step), and it is served from the
 * studio's origin. So it must never act as the studio: a step cannot set cookies or the headers
 * that decide how a browser treats the page, and every answer is sandboxed (an opaque origin, no
 * script) and never content-sniffed. See docs/security.md, "Webhook answers".
 */

/** Headers only Pincer sets on a webhook answer: a step's value for them is dropped. */
const RESERVED = new Set([
  'set-cookie',
  'set-cookie2',
  'clear-site-data',
  'content-security-policy',
  'content-security-policy-report-only',
  'x-content-type-options',
  'x-frame-options',
  'strict-transport-security',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'cross-origin-resource-policy',
  'service-worker-allowed',
  'origin-agent-cluster',
  'x-pincer-run',
]);

/** Whether a respond step may set this header (CORS headers are Pincer's too). */
export function stepMaySet(header: string): boolean {
  const name = header.toLowerCase();
  return !RESERVED.has(name) && !name.startsWith('access-control-');
}

/** A respond step's headers without the ones only Pincer sets. */
export function stepHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => stepMaySet(name)));
}

/** Seals any answer of a hook route (a step's, an error, a 202). */
export function sealHookAnswer(response: Response): Response {
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('content-security-policy', "default-src 'none'; sandbox");
  response.headers.delete('set-cookie');
  return response;
}
