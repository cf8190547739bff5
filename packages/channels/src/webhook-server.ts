import { createServer, type Server } from 'node:http';
import type { WebhookRoute } from './adapter.ts';

/** Larger callbacks are refused: no platform sends more for one event. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The HTTP server for platform callbacks (Telegram webhook, Slack Events API). */
export function startWebhookServer(
  routes: WebhookRoute[],
  host: string,
  port: number,
  onError: (path: string, error: unknown) => void,
): Promise<Server> {
  const byPath = new Map(routes.map((route) => [route.path, route]));
  const server = createServer((request, response) => {
    const route = byPath.get((request.url ?? '').split('?')[0] ?? '');
    if (!route || request.method !== 'POST') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `not found: POST to one of ${[...byPath.keys()].join(', ')}` }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        response.end(JSON.stringify({ error: `body larger than ${MAX_BODY_BYTES} bytes` }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      route.handle(request, Buffer.concat(chunks), response).catch((error: unknown) => {
        onError(route.path, error);
        if (!response.headersSent) {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: 'not accepted yet: try again' }));
        }
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
