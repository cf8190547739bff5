import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@pincer/config';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import { getRun, type RunView, saveWorkflow, startRun } from '@pincer/engine';
import { createRegistry } from '@pincer/nodes';
import { freePort, type RunningTemporal, startTemporalDevServer } from '@pincer/provision';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { cleanEnv, Job, repoRoot } from '../support/pincer.ts';

// Its own Temporal dev server, on a SQLite file with the flags `npm start` uses, to kill.
const { embedded } = loadConfig({ cwd: repoRoot, env: {} }).temporal;
let scratch: string;
let port: number;
let temporal: RunningTemporal | undefined;
let db: PrismaClient;
let connection: Connection;
let worker: Job;
let server: Server;
let base: string;
const hits = new Map<string, number>();

function startTemporal(): Promise<RunningTemporal> {
  return startTemporalDevServer({
    binary: path.join(inject('cacheDir'), 'temporal', embedded.version, 'temporal'),
    port,
    namespace: 'default',
    dbFile: path.join(scratch, 'temporal.db'),
    durability: embedded.durability,
    dynamicConfig: embedded.dynamicConfig,
  });
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-temporal-crash-'));
  port = await freePort();
  temporal = await startTemporal();
  server = createServer((request, response) => {
    const step = new URL(request.url ?? '/', 'http://x').searchParams.get('step') ?? '?';
    hits.set(step, (hits.get(step) ?? 0) + 1);
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ step }));
    }, 300);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const databaseUrl = await createTestDatabase('tcrash');
  await migrateDatabase(databaseUrl);
  db = createDb(databaseUrl);
  worker = new Job(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'apps/temporal-worker/src/main.ts')],
    {
      ...cleanEnv(),
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      PINCER_WORKER_HEALTH_PORT: String(await freePort()),
      PINCER_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
      PINCER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      PINCER_LOG_LEVEL: 'warn',
      PINCER_WORKER_CAPABILITIES: 'core',
    },
  );
  connection = await Connection.connect({ address: temporal.address });
});

afterAll(async () => {
  worker?.forceKill();
  await connection?.close().catch(() => undefined);
  await temporal?.stop();
  await db?.$disconnect();
  server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const succeeded = async (runId: string) =>
  (await getRun(db, runId)).steps.filter((step) => step.status === 'succeeded').length;

describe('the Temporal dev server killed with SIGKILL in the middle of a run', () => {
  it('loses nothing it acknowledged: after a restart on the same file the run finishes, each finished step run once', async () => {
    const steps = Array.from(
      { length: 8 },
      (_, index) => `
    - name: step_${index + 1}
      type: http_request
      url: "${base}/work?step=${index + 1}"
      timeout: 5s
      retry: { max_attempts: 5, initial_interval: 200ms }`,
    ).join('');
    await saveWorkflow(db, {
      source: `workflow:\n  name: eight_steps\n  steps:${steps}\n`,
      catalog: createRegistry(),
      actor: 'test',
    });
    const client = new Client({ connection, namespace: 'default' });
    const { runId } = await startRun(db, client, { workflow: 'eight_steps', actor: 'test' });
    for (let waited = 0; (await succeeded(runId)) < 3; waited++) {
      if (waited > 1200) throw new Error(`the run did not progress:\n${worker.output}`);
      await sleep(50);
    }
    // The journal `npm start` asks for: a write-ahead log next to the file.
    expect(existsSync(path.join(scratch, 'temporal.db-wal'))).toBe(true);
    const pid = temporal?.pid ?? 0;
    process.kill(-pid, 'SIGKILL');
    await temporal?.exited;
    const doneBeforeCrash = await succeeded(runId);
    expect(doneBeforeCrash).toBeLessThan(8);

    temporal = await startTemporal();
    let run: RunView = await getRun(db, runId);
    for (let waited = 0; run.status !== 'succeeded' && run.status !== 'failed'; waited++) {
      if (waited > 1800)
        throw new Error(`the run did not finish after the restart: ${JSON.stringify(run.steps)}`);
      await sleep(100);
      run = await getRun(db, runId);
    }
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((step) => step.status)).toEqual(Array(8).fill('succeeded'));
    for (const step of run.steps) {
      const seen = hits.get(step.name.replace('step_', '')) ?? 0;
      expect(seen, step.name).toBeGreaterThanOrEqual(1);
      expect(seen, step.name).toBeLessThanOrEqual(step.attempts);
    }
    // Steps that finished before the crash were not run again.
    expect(run.steps.slice(0, doneBeforeCrash).every((step) => step.attempts === 1)).toBe(true);
  }, 300_000);
});
