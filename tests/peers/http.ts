import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body of a request, parsed the way the platform's server would: JSON, form or multipart. */
export async function readParams(request: IncomingMessage, url: URL): Promise<{
  params: Record<string, unknown>;
  files: Record<string, { name: string; data: Buffer; type: string }>;
}> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: Record<string, { name: string; data: Buffer; type: string }> = {};
  const type = request.headers['content-type'] ?? '';
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) return { params: { ...params, ...JSON.parse(body.toString()) }, files };
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    const form = await new Request('http://peer.local/', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    }).formData();
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') {
        params[key] = value.startsWith('{') || value.startsWith('[') ? safeJson(value) : value;
      } else {
        files[key] = { name: value.name, data: Buffer.from(await value.arrayBuffer()), type: value.type };
      }
    }
  }
  return { params, files };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls until `probe` returns something other than undefined. */
export async function until<T>(probe: () => T | undefined, timeoutMs = 90_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not met in ${timeoutMs} ms`);
}
