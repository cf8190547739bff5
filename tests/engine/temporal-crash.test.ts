import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import { saveWorkflow, startRun } from '@pincer/engine';
import { createRegistry } from '@pincer/nodes';
import { freePort, type RunningTemporal, startTemporalDevServer } from '@pincer/provision';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CountingPeer,
  chainWorkflow,
  hitsWithinAttempts,
  startCoreWorker,
  startCountingPeer,
  succeededSteps,
  waitForRunEnd,
  waitForSteps,
} from '../support/crash.ts';
import { createTestDatabase } from '../support/db.ts';
import { type Job, repoRoot } from '../support/pincer.ts';

// Its own Temporal dev server, on a SQLite file with the flags `npm start` uses, to kill.
const { embedded } = loadConfig({ cwd: repoRoot, env: {} }).temporal;
let scratch: string;
let port: number;
let temporal: RunningTemporal | undefined;
let db: PrismaClient;
let connection: Connection;
let worker: Job;
let peer: CountingPeer;

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
  peer = await startCountingPeer(300);
  const databaseUrl = await createTestDatabase('tcrash');
  await migrateDatabase(databaseUrl);
  db = createDb(databaseUrl);
  worker = await startCoreWorker({
    databaseUrl,
    temporalAddress: temporal.address,
    namespace: 'default',
    secretKey: Buffer.alloc(32, 7),
  });
  connection = await Connection.connect({ address: temporal.address });
});

afterAll(async () => {
  worker?.forceKill();
  await connection?.close().catch(() => undefined);
  await temporal?.stop();
  await db?.$disconnect();
  peer?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the Temporal dev server killed with SIGKILL in the middle of a run', () => {
  it('loses nothing it acknowledged: after a restart on the same file the run finishes, each finished step run once', async () => {
    await saveWorkflow(db, {
      source: chainWorkflow('eight_steps', peer.base, 8, 5),
      catalog: createRegistry(),
      actor: 'test',
    });
    const client = new Client({ connection, namespace: 'default' });
    const { runId } = await startRun(db, client, { workflow: 'eight_steps', actor: 'test' });
    await waitForSteps(db, runId, 3, () => worker.output);
    // The journal `npm start` asks for: a write-ahead log next to the file.
    expect(existsSync(path.join(scratch, 'temporal.db-wal'))).toBe(true);
    const pid = temporal?.pid ?? 0;
    process.kill(-pid, 'SIGKILL');
    await temporal?.exited;
    const doneBeforeCrash = await succeededSteps(db, runId);
    expect(doneBeforeCrash).toBeLessThan(8);

    temporal = await startTemporal();
    const run = await waitForRunEnd(db, runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((step) => step.status)).toEqual(Array(8).fill('succeeded'));
    expect(hitsWithinAttempts(run, peer.hits)).toEqual([]);
    // Steps that finished before the crash were not run again.
    expect(run.steps.slice(0, doneBeforeCrash).every((step) => step.attempts === 1)).toBe(true);
  }, 300_000);
});
