/**
 * A webhook's answer is written by a workflow (its respond step), and it is served from the
 * studio's origin. So it must never act as the studio: a step cannot set cookies or the headers
 * that decide how a browser treats the page, and every answer is sandboxed (an opaque origin, no
 * script) and never content-sniffed. See docs/security.md, "Webhook answers". The compiler refuses
 * a respond step that sets a reserved header; dropping them here also covers versions published before.
 */
import { answerHeaderAllowed } from '@pincer/nodes';

/** A respond step's headers without the ones only Pincer sets. */
export function stepHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => answerHeaderAllowed(name)));
}

/** Seals any answer of a hook route (a step's, an error, a 202). */
export function sealHookAnswer(response: Response): Response {
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('content-security-policy', "default-src 'none'; sandbox");
  response.headers.delete('set-cookie');
  return response;
}
