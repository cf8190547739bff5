import { createServer, type Server } from 'node:http';

export interface HealthState {
  status: 'ok' | 'starting' | 'failing';
  [detail: string]: unknown;
}

/**
 * The small HTTP endpoint each background process serves (on 127.0.0.1 by default): `GET /health` answers
 * 200 while `state().status` is "ok" and 503 otherwise, with the state as JSON.
 */
export function startHealthServer(port: number, host: string, state: () => HealthState): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/health') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not found: only GET /health is served here' }));
      return;
    }
    const current = state();
    response.writeHead(current.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify(current));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(`health port ${port} is in use: stop what uses it or choose another port in pincer.yaml`),
        );
      } else {
        reject(error);
      }
    });
    server.listen(port, host, () => resolve(server));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
