/** The little the baseline servers share: read a JSON body, answer JSON, listen, stop on SIGTERM. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', reject);
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
  });
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Answers 500 with the error's message: the load generator counts it, the log shows why. */
export function sendError(response: ServerResponse, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`request failed: ${message}`);
  if (!response.headersSent) sendJson(response, 500, { error: message });
  else response.end();
}

/** The port to listen on: the first argument, chosen by the benchmark with freePort(). */
export function portArgument(): number {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0)
    throw new Error('pass the port to listen on as the first argument');
  return port;
}

/** Listens on 127.0.0.1, prints the line the benchmark waits for, and closes on SIGTERM. */
export function serve(server: Server, port: number, name: string, onStop: () => Promise<void>): void {
  server.listen(port, '127.0.0.1', () => console.log(`${name} listening on ${port}`));
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void onStop().finally(() => process.exit(0));
  });
}
