import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, type Dispatcher, request } from 'undici';
import { z } from 'zod';
import { defineNode, type NodeContext } from '../define.ts';
import { NodeError } from '../errors.ts';
import { type PrivateAddressGuard, privateAddressGuard } from '../private-address.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses worth trying again: the server may answer differently in a moment. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Credentials meant for one origin must not follow a redirect to another (as browsers do). */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_EXCERPT_CHARS = 300;
const ALLOW_HINT = 'allow it with nodes.allowPrivateHosts in pincer.yaml';

const config = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .describe(
      'The http:// or https:// URL to call, e.g. "https://api.example.com/v1/orders". Private and loopback addresses are refused unless nodes.allowPrivateHosts in pincer.yaml allows them.',
    ),
  method: z.enum(METHODS).default('GET').describe('The HTTP method.'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'), z.string())
    .default({})
    .describe(
      'Request headers, e.g. { Accept: application/json }. Authorization and Cookie are dropped when a redirect leaves the origin.',
    ),
  query: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .describe("Parameters added to the URL's query string, e.g. { page: 2, q: pincer }."),
  body: z
    .unknown()
    .optional()
    .describe(
      'The request body. A string is sent as it is (text/plain unless headers set content-type); any other value as JSON, or as a form when content-type is application/x-www-form-urlencoded.',
    ),
  response_type: z
    .enum(['auto', 'json', 'text'])
    .default('auto')
    .describe(
      'How to read the response body: auto parses JSON when the response says it is JSON and gives text otherwise; json always parses (invalid JSON fails the step); text never parses.',
    ),
  fail_on_status: z
    .boolean()
    .default(true)
    .describe(
      'Fail the step on a non-2xx answer; the error carries the status and a body excerpt, and 408, 425, 429, 500, 502, 503 and 504 are retried. false outputs such answers like any other.',
    ),
  max_response_bytes: z
    .int()
    .positive()
    .default(5 * 1024 * 1024)
    .describe(
      "The largest response body accepted, in bytes (default 5 MiB); a larger one fails the step rather than fill the worker's memory.",
    ),
  follow_redirects: z
    .boolean()
    .default(true)
    .describe(
      'Follow up to 5 redirects, checking every address on the way; false outputs the redirect answer itself.',
    ),
});
export type HttpRequestConfig = z.output<typeof config>;

interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** One request of the exchange; a redirect makes the next one. */
interface Hop {
  url: URL;
  method: Method;
  headers: Record<string, string>;
  body: string | undefined;
}

export const httpRequest = defineNode({
  type: 'http_request',
  title: 'HTTP request',
  description:
    'Calls an HTTP API or fetches a page; outputs { status, headers, body }, the body parsed when it is JSON.',
  category: 'data',
  capability: 'core',
  execution: 'activity',
  sideEffects: 'external',
  config,
  docs: {
    example: `
workflow:
  name: create_issue
  steps:
    - name: create
      type: http_request
      method: POST
      url: https://api.example.com/issues
      headers: { Accept: application/json }
      query: { notify: true }
      body:
        title: "{{ trigger.title }}"
      retry: { max_attempts: 5, initial_interval: 2s }
      timeout: 10s
    - name: issue_id
      type: transform
      value: "{{ steps.create.output.body.id }}"
`,
    notes:
      "The step's `timeout` covers the whole exchange of one attempt, redirects included. Network errors, " +
      'timeouts and the statuses listed under `fail_on_status` are retried; other failures are not.',
    minimal: { url: 'https://example.com/' },
  },
  outputs: ['main'],
  defaults: {
    timeoutMs: 30_000,
    retry: { maximumAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2 },
  },
  async run(config, context): Promise<HttpResponse> {
    const first = firstHop(config);
    const guard = privateAddressGuard(context.settings.allowPrivateHosts);
    const agent = new Agent({ connect: { lookup: guardedLookup(guard) } });
    // The step's `timeout` covers the whole exchange, redirects included.
    const timeout = AbortSignal.timeout(context.timeoutMs);
    const signal = AbortSignal.any([context.signal, timeout]);
    try {
      return await exchange(first, config, { agent, guard, signal, context });
    } catch (error) {
      throw toNodeError(error, first, {
        cancelled: context.signal,
        timedOut: timeout,
        timeoutMs: context.timeoutMs,
      });
    } finally {
      await agent.destroy();
    }
  },
});

interface ExchangeTools {
  agent: Dispatcher;
  guard: PrivateAddressGuard;
  signal: AbortSignal;
  context: NodeContext;
}

async function exchange(first: Hop, config: HttpRequestConfig, tools: ExchangeTools): Promise<HttpResponse> {
  let hop = first;
  for (let redirects = 0; ; redirects++) {
    // IP literals never reach the DNS lookup, so they are judged before connecting.
    refuseLiteralAddress(hop.url, tools.guard);
    tools.context.heartbeat();
    const response = await request(hop.url, {
      dispatcher: tools.agent,
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      signal: tools.signal,
    });
    const location = headerValue(response.headers.location);
    if (!config.follow_redirects || !REDIRECT_STATUSES.has(response.statusCode) || !location) {
      return readResponse(response, hop, config);
    }
    await response.body.dump();
    if (redirects === MAX_REDIRECTS) {
      throw new NodeError(
        'http_too_many_redirects',
        `http_request: ${describe(first)} redirected more than ${MAX_REDIRECTS} times; call the final URL directly`,
        { retryable: false },
      );
    }
    hop = redirectHop(hop, response.statusCode, location);
    tools.context.log('http_request followed a redirect', {
      status: response.statusCode,
      to: describeUrl(hop.url),
    });
  }
}

function firstHop(config: HttpRequestConfig): Hop {
  const url = new URL(config.url);
  for (const [key, value] of Object.entries(config.query)) url.searchParams.append(key, String(value));
  const headers = lowerCaseKeys(config.headers);
  return { url, method: config.method, headers, body: encodeBody(config.body, headers) };
}

/** Encodes the body and sets content-type in `headers` when the user did not. */
function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return body;
  }
  headers['content-type'] ??= 'application/json';
  const contentType = headers['content-type'];
  if (isJsonMediaType(contentType)) return JSON.stringify(body);
  if (mediaType(contentType) === 'application/x-www-form-urlencoded') return encodeForm(body);
  throw new NodeError(
    'http_body_encoding',
    `http_request: the body is ${Array.isArray(body) ? 'an array' : `a ${typeof body}`} but content-type is ${contentType}; send a string body, or use application/json or application/x-www-form-urlencoded`,
    { retryable: false },
  );
}

function encodeForm(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new NodeError('http_body_encoding', 'http_request: a form body must be an object of fields', {
      retryable: false,
    });
  }
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!['string', 'number', 'boolean'].includes(typeof item)) {
        throw new NodeError(
          'http_body_encoding',
          `http_request: form field "${key}" must be a string, number or boolean (or a list of them); send nested data as JSON`,
          { retryable: false },
        );
      }
      form.append(key, String(item));
    }
  }
  return form.toString();
}

/** The next request after a redirect, with the method, body and credentials rules of browsers. */
function redirectHop(previous: Hop, status: number, location: string): Hop {
  const url = new URL(location, previous.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NodeError(
      'http_invalid_redirect',
      `http_request: ${describeUrl(previous.url)} redirected to a ${url.protocol} URL; only http and https are followed`,
      { retryable: false },
    );
  }
  const headers = { ...previous.headers };
  if (url.origin !== previous.url.origin) for (const name of ORIGIN_BOUND_HEADERS) delete headers[name];
  const becomesGet = status === 303 || ((status === 301 || status === 302) && previous.method === 'POST');
  if (!becomesGet) return { url, method: previous.method, headers, body: previous.body };
  delete headers['content-type'];
  delete headers['content-length'];
  return { url, method: previous.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined };
}

function refuseLiteralAddress(url: URL, guard: PrivateAddressGuard): void {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isIP(host) || guard.allowsHost(host)) return;
  const refusal = guard.refusal(host);
  if (refusal) throw privateAddressError(`${host} is ${refusal}`, host, host);
}

/**
 * DNS lookup for the agent's connections that drops refused addresses, so the socket can only
 * connect to an address that was checked: a name re-resolving to a private address (DNS
 * rebinding) is caught at connect time, on every hop.
 */
function guardedLookup(guard: PrivateAddressGuard): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const usable = guard.allowsHost(hostname)
        ? addresses
        : addresses.filter(({ address }) => guard.refusal(address) === undefined);
      const [chosen] = usable;
      if (!chosen) {
        const first = addresses[0]?.address ?? '';
        const reason = `${hostname} resolves to ${first}, ${guard.refusal(first) ?? 'a refused address'}`;
        return callback(privateAddressError(reason, hostname, first), '');
      }
      if (options.all) return callback(null, usable);
      callback(null, chosen.address, chosen.family);
    });
  };
}

function privateAddressError(reason: string, host: string, address: string): NodeError {
  return new NodeError('http_private_address', `http_request: ${reason}; ${ALLOW_HINT}`, {
    retryable: false,
    details: { host, address },
  });
}

async function readResponse(
  response: Dispatcher.ResponseData,
  hop: Hop,
  config: HttpRequestConfig,
): Promise<HttpResponse> {
  const headers = flattenHeaders(response.headers);
  const bytes = await readLimited(response.body, headers['content-length'], config.max_response_bytes, hop);
  const text = decodeText(bytes, headers['content-type']);
  const status = response.statusCode;
  const redirectKept = !config.follow_redirects && status >= 300 && status < 400;
  if (config.fail_on_status && (status < 200 || status >= 300) && !redirectKept) {
    throw new NodeError(
      'http_status',
      `http_request: ${describe(hop)} answered ${status}: ${excerpt(text)}`,
      { retryable: RETRYABLE_STATUSES.has(status), details: { status, body: excerpt(text) } },
    );
  }
  return { status, headers, body: parseBody(text, headers['content-type'], config.response_type, hop) };
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  declaredLength: string | undefined,
  limit: number,
  hop: Hop,
): Promise<Uint8Array> {
  const tooLarge = () => {
    // Destroying the stream emits an abort error that nothing else listens for.
    body.once('error', () => undefined);
    body.destroy();
    return new NodeError(
      'http_response_too_large',
      `http_request: ${describe(hop)} sent more than ${limit} bytes; raise max_response_bytes if you need it all`,
      { retryable: false, details: { max_response_bytes: limit } },
    );
  };
  // A HEAD answer declares the length of the body it does not send.
  if (hop.method !== 'HEAD' && declaredLength !== undefined && Number(declaredLength) > limit)
    throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunksOf(body)) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A response body's chunks, typed: Node streams iterate as `any`. */
async function* chunksOf(stream: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk));
}

function decodeText(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /;\s*charset="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the best guess on today's web.
    return new TextDecoder().decode(bytes);
  }
}

function parseBody(
  text: string,
  contentType: string | undefined,
  responseType: HttpRequestConfig['response_type'],
  hop: Hop,
) {
  const wantsJson =
    responseType === 'json' || (responseType === 'auto' && isJsonMediaType(contentType ?? ''));
  if (!wantsJson) return text;
  if (text.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    throw new NodeError(
      'http_invalid_json',
      `http_request: ${describe(hop)} did not send valid JSON (${excerpt(text)}); set response_type: text to get it as text`,
      { retryable: false },
    );
  }
}

interface AbortSignals {
  cancelled: AbortSignal;
  timedOut: AbortSignal;
  timeoutMs: number;
}

/** Gives every failure a stable code; network trouble and timeouts are worth retrying. */
function toNodeError(error: unknown, first: Hop, signals: AbortSignals): NodeError {
  const own = findNodeError(error);
  if (own) return own;
  if (signals.cancelled.aborted) {
    return new NodeError('http_cancelled', `http_request: ${describe(first)} was cancelled`, {
      retryable: false,
    });
  }
  if (signals.timedOut.aborted) {
    return new NodeError(
      'http_timeout',
      `http_request: ${describe(first)} took longer than ${signals.timeoutMs} ms; raise the step's timeout if the server is slow`,
      { retryable: true, cause: error },
    );
  }
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_INVALID_ARG') {
    return new NodeError('http_invalid_request', `http_request: ${message}`, {
      retryable: false,
      cause: error,
    });
  }
  return new NodeError(
    'http_network',
    `http_request: ${describe(first)} failed: ${message}${code ? ` (${code})` : ''}`,
    { retryable: true, cause: error, details: code ? { network_code: code } : {} },
  );
}

/** Our own errors may come back wrapped by undici (e.g. the lookup's refusal). */
function findNodeError(error: unknown): NodeError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof NodeError) return current;
    current = current.cause;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function isJsonMediaType(contentType: string): boolean {
  const type = mediaType(contentType);
  return type === 'application/json' || type.endsWith('+json');
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT_CHARS ? `${flat.slice(0, BODY_EXCERPT_CHARS)}…` : flat || '(empty body)';
}

function describe(hop: Hop): string {
  return `${hop.method} ${describeUrl(hop.url)}`;
}

/** Without query string and credentials, which may hold secrets. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
