import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body of a request, parsed the way the platform's server would: JSON, form or multipart. */
export async function readParams(
  request: IncomingMessage,
  url: URL,
): Promise<{
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
  if (type.startsWith('application/json'))
    return { params: { ...params, ...JSON.parse(body.toString()) }, files };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString())) params[key] = maybeJson(value);
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = type.match(/boundary="?([^";]+)"?/)?.[1] ?? '';
    for (const part of multipartParts(body, boundary)) {
      if (part.filename !== undefined)
        files[part.name] = { name: part.filename, data: part.data, type: part.type };
      else params[part.name] = maybeJson(part.data.toString());
    }
    // Telegram's attach://<name>: a field naming the file part sent under <name>.
    for (const [key, value] of Object.entries(params)) {
      const attached = typeof value === 'string' ? value.match(/^attach:\/\/(.+)$/)?.[1] : undefined;
      const file = attached ? files[attached] : undefined;
      if (file) files[key] = file;
    }
  }
  return { params, files };
}

function maybeJson(value: string): unknown {
  if (!value.startsWith('{') && !value.startsWith('[')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * The parts of a multipart/form-data body, read as servers do: tolerant of header case and of
 * unquoted parameters (grammY writes `filename=report.csv`).
 */
export function multipartParts(
  body: Buffer,
  boundary: string,
): { name: string; filename?: string; type: string; data: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { name: string; filename?: string; type: string; data: Buffer }[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, from);
    if (next === -1) break;
    const raw = body.subarray(from + 2, next - 2);
    const headerEnd = raw.indexOf('\r\n\r\n');
    const headers = raw.subarray(0, headerEnd).toString();
    const data = raw.subarray(headerEnd + 4);
    const disposition = headers.match(/content-disposition:\s*form-data;([^\r\n]*)/i)?.[1] ?? '';
    const name = disposition.match(/(?:^|;)\s*name="?([^";]+)"?/)?.[1] ?? '';
    const filename = disposition.match(/filename="?([^";]+)"?/)?.[1];
    const partType = headers.match(/content-type:\s*([^\r\n]+)/i)?.[1] ?? 'text/plain';
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      type: partType,
      data: Buffer.from(data),
    });
    start = next;
  }
  return parts;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
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
export async function until<T>(
  probe: () => T | undefined,
  timeoutMs = 90_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not met in ${timeoutMs} ms`);
}
