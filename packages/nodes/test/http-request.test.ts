import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRequest, NodeError } from '../src/index.ts';
import { runNode, testContext } from './context.ts';

/** A real HTTP server on 127.0.0.1 whose routes play the remote APIs the tests need. */
let server: http.Server;
let base: string;
let port: number;
/** Paths the server was asked for, to prove what never reached it. */
let received: string[] = [];
/** Called when /hang is requested (it never answers). */
let onHang: () => void = () => {};

const allowLocal = testContext({ allowPrivateHosts: ['127.0.0.1'] });

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void;

function json(response: http.ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function text(response: http.ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType }).end(body);
}

function redirectTo(status: number, location: () => string): Handler {
  return (_request, response) => {
    response.writeHead(status, { location: location() }).end();
  };
}

const routes: Record<string, Handler> = {
  '/json': (request, response) => {
    const url = new URL(request.url ?? '/', base);
    json(response, 200, { hello: 'world', query: Object.fromEntries(url.searchParams) });
  },
  '/echo': (request, response, body) => {
    json(response, 200, {
      method: request.method,
      contentType: request.headers['content-type'] ?? null,
      authorization: request.headers.authorization ?? null,
      body,
    });
  },
  '/text': (_request, response) => text(response, 200, 'text/plain; charset=utf-8', 'plain words'),
  '/invalid-json': (_request, response) => text(response, 200, 'application/json', '{nope'),
  '/missing': (_request, response) => text(response, 404, 'text/plain', 'no such invoice'),
  '/unavailable': (_request, response) => json(response, 503, { error: 'down for maintenance' }),
  '/big': (_request, response) => {
    // Declared up front, also for HEAD (where Node would not compute it).
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2000' }).end('x'.repeat(2000));
  },
  '/big-chunked': (_request, response) => {
    // No content-length: the limit must hold while reading the stream.
    response.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < 10; i++) response.write('y'.repeat(500));
    response.end();
  },
  '/redirect': redirectTo(302, () => '/json?from=redirect'),
  '/redirect-see-other': redirectTo(303, () => '/echo'),
  '/redirect-temporary': redirectTo(307, () => '/echo'),
  '/redirect-other-origin': redirectTo(302, () => `http://localhost:${port}/echo`),
  '/redirect-metadata': redirectTo(302, () => 'http://169.254.169.254/latest/meta-data/'),
  '/loop': redirectTo(302, () => '/loop'),
  '/hang': () => onHang(),
};

function route(request: http.IncomingMessage, response: http.ServerResponse, body: string): void {
  const handler = routes[new URL(request.url ?? '/', base).pathname];
  if (handler) handler(request, response, body);
  else json(response, 404, { error: 'no route' });
}

function portOf(listening: http.Server): number {
  const address = listening.address();
  if (typeof address !== 'object' || address === null) throw new Error('server is not listening on TCP');
  return address.port;
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(request.url ?? '');
      route(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = portOf(server);
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  onHang = () => {};
});

/** The NodeError a step fails with; fails the test when the step succeeds or throws something else. */
async function failure(step: Promise<unknown>): Promise<NodeError> {
  try {
    await step;
  } catch (error) {
    if (error instanceof NodeError) return error;
    throw error;
  }
  throw new Error('expected the step to fail');
}

describe('http_request', () => {
  it('GETs JSON, with query parameters added to the URL', async () => {
    const output = await runNode(
      httpRequest,
      { url: `${base}/json?keep=1`, query: { page: 2, active: true } },
      allowLocal,
    );
    expect(output.status).toBe(200);
    expect(output.headers['content-type']).toBe('application/json');
    expect(output.body).toEqual({ hello: 'world', query: { keep: '1', page: '2', active: 'true' } });
  });

  it('gives text for non-JSON responses, and text when asked even for JSON', async () => {
    expect((await runNode(httpRequest, { url: `${base}/text` }, allowLocal)).body).toBe('plain words');
    const forced = await runNode(httpRequest, { url: `${base}/json`, response_type: 'text' }, allowLocal);
    expect(forced.body).toBe('{"hello":"world","query":{}}');
  });

  it('fails clearly when a JSON response is not JSON', async () => {
    const error = await failure(runNode(httpRequest, { url: `${base}/invalid-json` }, allowLocal));
    expect(error.code).toBe('http_invalid_json');
    expect(error.message).toContain('set response_type: text');
  });

  it('POSTs objects as JSON and strings as they are', async () => {
    const asJson = await runNode(
      httpRequest,
      { url: `${base}/echo`, method: 'POST', body: { name: 'Ada', tags: ['x'] } },
      allowLocal,
    );
    expect(asJson.body).toMatchObject({
      method: 'POST',
      contentType: 'application/json',
      body: '{"name":"Ada","tags":["x"]}',
    });
    const asText = await runNode(
      httpRequest,
      { url: `${base}/echo`, method: 'PUT', body: 'a,b\n1,2', headers: { 'Content-Type': 'text/csv' } },
      allowLocal,
    );
    expect(asText.body).toMatchObject({ method: 'PUT', contentType: 'text/csv', body: 'a,b\n1,2' });
  });

  it('encodes an object as a form when the content-type says so', async () => {
    const output = await runNode(
      httpRequest,
      {
        url: `${base}/echo`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: { q: 'a b', tag: ['x', 'y'] },
      },
      allowLocal,
    );
    expect(output.body).toMatchObject({ body: 'q=a+b&tag=x&tag=y' });
  });

  it('refuses to guess an encoding for an object body with another content-type', async () => {
    const error = await failure(
      runNode(
        httpRequest,
        { url: `${base}/echo`, method: 'POST', headers: { 'content-type': 'text/csv' }, body: { a: 1 } },
        allowLocal,
      ),
    );
    expect(error.code).toBe('http_body_encoding');
    expect(received).toEqual([]);
  });

  it('fails on a non-2xx answer with the status and a body excerpt; 5xx may be retried, 4xx not', async () => {
    const missing = await failure(runNode(httpRequest, { url: `${base}/missing` }, allowLocal));
    expect(missing.code).toBe('http_status');
    expect(missing.message).toBe(`http_request: GET ${base}/missing answered 404: no such invoice`);
    expect(missing.retryable).toBe(false);
    expect(missing.details).toMatchObject({ status: 404 });

    const unavailable = await failure(runNode(httpRequest, { url: `${base}/unavailable` }, allowLocal));
    expect(unavailable.retryable).toBe(true);
    expect(unavailable.message).toContain('down for maintenance');
  });

  it('outputs a non-2xx answer when fail_on_status is false', async () => {
    const output = await runNode(httpRequest, { url: `${base}/missing`, fail_on_status: false }, allowLocal);
    expect(output).toMatchObject({ status: 404, body: 'no such invoice' });
  });

  it.each(['/big', '/big-chunked'])('stops reading %s past max_response_bytes', async (path) => {
    const error = await failure(
      runNode(httpRequest, { url: `${base}${path}`, max_response_bytes: 1000 }, allowLocal),
    );
    expect(error.code).toBe('http_response_too_large');
    expect(error.message).toBe(
      `http_request: GET ${base}${path} sent more than 1000 bytes; raise max_response_bytes if you need it all`,
    );
    expect(error.retryable).toBe(false);
  });

  it('reads a HEAD answer without its declared body length counting against the limit', async () => {
    const output = await runNode(
      httpRequest,
      { url: `${base}/big`, method: 'HEAD', max_response_bytes: 1000 },
      allowLocal,
    );
    expect(output).toMatchObject({ status: 200, body: '' });
    expect(output.headers['content-length']).toBe('2000');
  });

  it('follows redirects', async () => {
    const output = await runNode(httpRequest, { url: `${base}/redirect` }, allowLocal);
    expect(output.body).toEqual({ hello: 'world', query: { from: 'redirect' } });
    expect(received).toEqual(['/redirect', '/json?from=redirect']);
  });

  it('turns a POST into a GET on 303 and keeps it on 307, as browsers do', async () => {
    const post = { method: 'POST' as const, body: { a: 1 } };
    const seeOther = await runNode(httpRequest, { url: `${base}/redirect-see-other`, ...post }, allowLocal);
    expect(seeOther.body).toMatchObject({ method: 'GET', body: '' });
    const temporary = await runNode(httpRequest, { url: `${base}/redirect-temporary`, ...post }, allowLocal);
    expect(temporary.body).toMatchObject({ method: 'POST', body: '{"a":1}' });
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const output = await runNode(
      httpRequest,
      { url: `${base}/redirect-other-origin`, headers: { Authorization: 'Bearer s3cret' } },
      testContext({ allowPrivateHosts: ['127.0.0.1', 'localhost'] }),
    );
    expect(output.body).toMatchObject({ authorization: null });
  });

  it('returns the redirect itself when follow_redirects is false', async () => {
    const output = await runNode(
      httpRequest,
      { url: `${base}/redirect`, follow_redirects: false },
      allowLocal,
    );
    expect(output.status).toBe(302);
    expect(output.headers.location).toBe('/json?from=redirect');
  });

  it('gives up after 5 redirects', async () => {
    const error = await failure(runNode(httpRequest, { url: `${base}/loop` }, allowLocal));
    expect(error.code).toBe('http_too_many_redirects');
    expect(received).toHaveLength(6);
  });

  it('aborts when the run is cancelled', async () => {
    const controller = new AbortController();
    onHang = () => controller.abort();
    const context = testContext({ allowPrivateHosts: ['127.0.0.1'], signal: controller.signal });
    const error = await failure(runNode(httpRequest, { url: `${base}/hang` }, context));
    expect(error.code).toBe('http_cancelled');
    expect(error.retryable).toBe(false);
    expect(received).toEqual(['/hang']);
  });

  it('times out as a retryable failure', async () => {
    const error = await failure(
      runNode(
        httpRequest,
        { url: `${base}/hang` },
        testContext({ allowPrivateHosts: ['127.0.0.1'], timeoutMs: 200 }),
      ),
    );
    expect(error.code).toBe('http_timeout');
    expect(error.retryable).toBe(true);
  });

  it('reports an unreachable server as a retryable network failure', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(runNode(httpRequest, { url: `http://127.0.0.1:${closedPort}/` }, allowLocal));
    expect(error.code).toBe('http_network');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('http_request SSRF guard', () => {
  /** Host names undici tries to connect to while `during` runs. */
  async function connectionAttempts(during: () => Promise<unknown>): Promise<string[]> {
    const hosts: string[] = [];
    const record = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('connectParams' in message)) return;
      const params = message.connectParams;
      if (typeof params === 'object' && params !== null && 'hostname' in params)
        hosts.push(String(params.hostname));
    };
    diagnosticsChannel.subscribe('undici:client:beforeConnect', record);
    try {
      await during().catch(() => undefined);
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:beforeConnect', record);
    }
    return hosts;
  }

  it('refuses 127.0.0.1 by default and says how to allow it', async () => {
    const error = await failure(runNode(httpRequest, { url: `${base}/json` }, testContext()));
    expect(error.code).toBe('http_private_address');
    expect(error.message).toBe(
      'http_request: 127.0.0.1 is a loopback address; allow it with nodes.allowPrivateHosts in pincer.yaml',
    );
    expect(error.retryable).toBe(false);
    expect(received).toEqual([]);
  });

  it('allows an allow-listed CIDR range', async () => {
    const output = await runNode(
      httpRequest,
      { url: `${base}/json` },
      testContext({ allowPrivateHosts: ['127.0.0.0/8'] }),
    );
    expect(output.status).toBe(200);
  });

  it('refuses a host name that resolves to loopback, unless the name is allow-listed', async () => {
    const url = `http://localhost:${port}/json`;
    const error = await failure(runNode(httpRequest, { url }, testContext()));
    expect(error.code).toBe('http_private_address');
    expect(error.message).toMatch(
      /^http_request: localhost resolves to (127\.0\.0\.1|::1), a loopback address; allow it with nodes\.allowPrivateHosts/,
    );
    expect(received).toEqual([]);
    const allowed = await runNode(httpRequest, { url }, testContext({ allowPrivateHosts: ['localhost'] }));
    expect(allowed.status).toBe(200);
  });

  it('refuses IPv4-mapped IPv6 forms of private addresses', async () => {
    const error = await failure(
      runNode(httpRequest, { url: `http://[::ffff:127.0.0.1]:${port}/json` }, testContext()),
    );
    expect(error.message).toContain('is a loopback address');
    const privateMapped = await failure(
      runNode(httpRequest, { url: 'http://[::ffff:10.1.2.3]/' }, testContext()),
    );
    expect(privateMapped.message).toContain('is a private address');
  });

  it('refuses the cloud metadata address without any connection attempt', async () => {
    const attempts = await connectionAttempts(async () => {
      const error = await failure(
        runNode(httpRequest, { url: 'http://169.254.169.254/latest/meta-data/' }, testContext()),
      );
      expect(error.code).toBe('http_private_address');
      expect(error.message).toContain('169.254.169.254 is a link-local address');
    });
    expect(attempts).toEqual([]);
  });

  it('refuses a redirect from an allowed host to a private address', async () => {
    const attempts = await connectionAttempts(async () => {
      const error = await failure(runNode(httpRequest, { url: `${base}/redirect-metadata` }, allowLocal));
      expect(error.code).toBe('http_private_address');
      expect(error.message).toContain('169.254.169.254 is a link-local address');
    });
    expect(received).toEqual(['/redirect-metadata']);
    expect(attempts).not.toContain('169.254.169.254');
  });

  it.each([
    ['http://10.0.0.8/', 'a private address'],
    ['http://172.20.1.1/', 'a private address'],
    ['http://192.168.1.1/', 'a private address'],
    ['http://100.64.0.1/', 'a carrier-grade NAT address'],
    ['http://0.0.0.0/', 'an unspecified address'],
    ['http://[::1]/', 'a loopback address'],
    ['http://[fd00::1]/', 'a private (unique local) address'],
    ['http://[fe80::1]/', 'a link-local address'],
    ['http://224.0.0.1/', 'a multicast address'],
    ['http://[64:ff9b::a00:1]/', 'a private address'],
  ])('refuses %s as %s', async (url, kind) => {
    const error = await failure(runNode(httpRequest, { url }, testContext()));
    expect(error.code).toBe('http_private_address');
    expect(error.message).toContain(`is ${kind}`);
  });
});
