/**
 * The studio's production server: Next's request handler on a plain node:http server, in this one
 * process. `next start` forks a next-server child that outlives a killed parent; one process is
 * what a supervisor can stop reliably. Run after `next build`:
 *   node --import tsx apps/web/src/server.ts
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type PincerConfig } from '@pincer/config';
import { pino } from 'pino';
import { getConfig } from './lib/config.ts';

/** How long open requests may take to finish after a stop signal before connections are cut. */
const DRAIN_MS = 3000;
/** After this the process exits whatever is still pending. */
const HARD_EXIT_MS = 5000;

const appDir = path.resolve(fileURLToPath(import.meta.url), '../..');

// `next({ dev: false })` serves React's production build only under NODE_ENV=production, which
// `next start` sets the same way when it is unset.
if (!process.env.NODE_ENV) Object.assign(process.env, { NODE_ENV: 'production' });
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

// Synchronous: lifecycle lines must be written, in order, before process.exit().
const log = pino({ name: 'web' }, pino.destination({ dest: 1, sync: true }));

let stopping = false;
let httpServer: Server | undefined;

function stop(reason: string): void {
  if (stopping) return;
  stopping = true;
  log.info({ event: 'shutdown', reason }, 'shutting down');
  setTimeout(() => {
    log.warn({ event: 'shutdown_forced' }, `still busy after ${HARD_EXIT_MS} ms, exiting anyway`);
    process.exit(0);
  }, HARD_EXIT_MS).unref();

  const server = httpServer;
  if (!server?.listening) process.exit(0);
  const drain = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  drain.unref();
  server.close(() => {
    clearTimeout(drain);
    log.info({ event: 'stopped' }, 'server closed');
    process.exit(0);
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function readConfigOrExit(): PincerConfig {
  try {
    return getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.fatal({ event: 'config_error', code: error.code }, error.message);
    process.exit(1);
  }
}

function exitUnlessBuilt(): void {
  if (existsSync(path.join(appDir, '.next', 'BUILD_ID'))) return;
  log.fatal(
    { event: 'not_built', dir: appDir },
    'no production build: run `npm run build -w @pincer/web` first',
  );
  process.exit(1);
}

async function main(): Promise<void> {
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Started by a supervisor over IPC: when it goes away (even killed), go with it.
  if (process.send !== undefined) process.once('disconnect', () => stop('parent disconnected'));

  const config = readConfigOrExit();
  log.level = config.logLevel;
  const { host, port } = config.server;

  exitUnlessBuilt();
  // next-auth builds its callback URLs and cookie names from NEXTAUTH_URL (https => secure cookies).
  process.env.NEXTAUTH_URL ??= config.server.publicUrl ?? urlOf(host, port);
  const { default: next } = await import('next');
  const server = createServer();
  const app = next({ dev: false, dir: appDir, hostname: host, port, httpServer: server });
  await app.prepare();
  const handle = app.getRequestHandler();
  server.on('request', (req, res) => {
    // The sign-in throttle counts by this address: what the connection says, never the client.
    req.headers['x-pincer-client-address'] = req.socket.remoteAddress ?? 'unknown';
    handle(req, res).catch((error: unknown) => {
      log.error({ event: 'request_failed', err: error, url: req.url }, 'request handler failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });

  httpServer = server;
  try {
    await listen(server, host, port);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
    const hint = code === 'EADDRINUSE' ? ': set PINCER_PORT or server.port to a free port' : '';
    log.fatal({ event: 'listen_failed', code }, `cannot listen on ${urlOf(host, port)}${hint}`);
    process.exit(1);
  }
  log.info(
    { event: 'listening', url: urlOf(host, port), publicUrl: config.server.publicUrl },
    'studio listening',
  );
}

main().catch((error: unknown) => {
  log.fatal({ event: 'start_failed', err: error }, 'studio failed to start');
  process.exit(1);
});
