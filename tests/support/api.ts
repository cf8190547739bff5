import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '@pincer/db';
import { createApiToken } from '@pincer/engine';
import { freePort } from '@pincer/provision';
import { inject } from 'vitest';
import type { z } from 'zod';
import { startTestEngine, type TestEngine } from './engine.ts';
import { cleanEnv, Job } from './pincer.ts';

export interface TestServer {
  /** http://127.0.0.1:<port> */
  url: string;
  engine: TestEngine;
  /** Tokens by role, each of a user with that role. */
  tokens: Record<Role, string>;
  /** The environment the server runs with: point the CLI at it with the same variables. */
  env: NodeJS.ProcessEnv;
  server: Job;
  /** fetch against /api/v1 with a role's token (or none). */
  api(pathname: string, init?: RequestInit & { as?: Role | null }): Promise<Response>;
  stop(): Promise<void>;
}

async function userWithToken(engine: TestEngine, role: Role): Promise<string> {
  const user = await engine.db.user.create({ data: { email: `${role}@api.test`, role } });
  return (await createApiToken(engine.db, { userId: user.id, name: `${role} test token` })).token;
}

/**
 * The studio as `npm start` runs it (the built Next app behind src/server.ts, a child process)
 * on a fresh database and Temporal namespace, with the real workers running in this process.
 */
export async function startTestServer(
  options: { env?: NodeJS.ProcessEnv; workers?: boolean } = {},
): Promise<TestServer> {
  const engine = await startTestEngine(options.workers === false ? { workers: false } : {});
  const port = await freePort();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-api-'));
  const dataDir = path.join(scratch, 'data');
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PINCER_PORT: String(port),
    PINCER_DATA_DIR: dataDir,
    PINCER_LOG_LEVEL: 'warn',
    DATABASE_URL: engine.databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: engine.namespace,
    PINCER_SECRET_KEY: engine.secretKey.toString('base64'),
    PINCER_ARTIFACTS_DIR: engine.artifacts.location,
    ...options.env,
  };
  const tokens: Record<Role, string> = {
    owner: await userWithToken(engine, 'owner'),
    editor: await userWithToken(engine, 'editor'),
    viewer: await userWithToken(engine, 'viewer'),
  };
  const server = new Job(process.execPath, ['--import', 'tsx', 'apps/web/src/server.ts'], env);
  // Lifecycle lines are logged at info, below the warn level: wait for the port instead.
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, server);
  return {
    url,
    engine,
    tokens,
    env,
    server,
    api(pathname, init = {}) {
      const { as = 'owner', ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as) headers.set('authorization', `Bearer ${tokens[as]}`);
      return fetch(`${url}/api/v1${pathname}`, { ...rest, headers, signal: AbortSignal.timeout(120_000) });
    },
    async stop() {
      server.interrupt();
      await server.exit;
      await engine.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Waits until the web server `server` answers on `url`. */
export async function waitUntilServing(url: string, server: Job): Promise<void> {
  let exited = false;
  void server.exit.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      await fetch(`${url}/api/v1/openapi.json`, { signal: AbortSignal.timeout(5000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`the web server did not start:\n${server.output.slice(-4000)}`);
}

/** A response's JSON body, checked against `schema` (loose schemas keep the fields they do not name). */
export async function bodyOf<T extends z.ZodType>(response: Response, schema: T): Promise<z.output<T>> {
  return schema.parse(await response.json());
}
