/**
 * Everything both benchmarks run on, started inside the benchmark: a fresh embedded PostgreSQL
 * (migrated), a Temporal dev server on a SQLite file with the flags `npm start` uses, Pincer's real workers on a namespace of their own,
 * and the baseline worker on its own task queue, all workers in this process.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import { createRegistry, type NodeRegistry } from '@pincer/nodes';
import {
  embeddedPostgresStep,
  freePort,
  provision,
  type RunningPostgres,
  type RunningTemporal,
  silentReporter,
  startEmbeddedPostgres,
  startTemporalDevServer,
  temporalCliStep,
} from '@pincer/provision';
import { createLogger } from '@pincer/runtime';
import { startWorkers } from '@pincer/temporal-worker';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type LogEntry,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { repoRoot } from '../startup/pincer-run.ts';
import type { Cleanup, Scratch } from '../startup/scratch.ts';
import * as baselineActivities from './baseline-activities.ts';
import { BASELINE_NAMESPACE, BASELINE_TASK_QUEUE, PINCER_NAMESPACE } from './shapes.ts';
import type { Teardown } from './teardown.ts';

export interface Environment {
  databaseUrl: string;
  temporalAddress: string;
  /** The workers' database client. */
  db: PrismaClient;
  /**
   * The client side's own (startRun, waitForRun): in production the web server and the worker
   * are separate processes with a pool each, so the benchmark does not let them share one.
   */
  clientDb: PrismaClient;
  registry: NodeRegistry;
  /** A client on Pincer's namespace. */
  pincer: Client;
  /** A client on the baselines' namespace. */
  baseline: Client;
  /** PostgreSQL's (the postmaster) and Temporal's process ids. */
  pids: { postgres: number; temporal: number };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs one setup step, printing what it was and how long it took. */
async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  process.stdout.write(`  ${title} … `);
  const started = performance.now();
  const result = await work();
  console.log(seconds(performance.now() - started));
  return result;
}

/** The web app must be built for its server; turbo's cache makes this quick when nothing changed. */
export async function buildOnce(): Promise<void> {
  await step('npx turbo run build (cached unless the code changed)', async () => {
    try {
      execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
    } catch (error) {
      const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
      throw new Error(`the build failed:\n${output.trim().split('\n').slice(-30).join('\n')}`, {
        cause: error,
      });
    }
  });
}

/**
 * The SDK's warnings and errors, except the one every Pincer worker without workflows gives at
 * start (its capability queues run activities only), which would only clutter the output.
 */
function sdkLogger(): DefaultLogger {
  return new DefaultLogger('WARN', (entry: LogEntry) => {
    if (entry.message.startsWith('No workflows registered')) return;
    console.log(
      `  [temporal ${entry.level}] ${entry.message} ${entry.meta ? JSON.stringify(entry.meta) : ''}`,
    );
  });
}

const cacheDir = path.join(repoRoot, '.pincer', 'cache');

async function startPostgres(scratch: Scratch, cleanup: Cleanup, teardown: Teardown) {
  const dir = path.join(scratch.dataDir, 'postgres');
  const port = await freePort();
  await provision([embeddedPostgresStep({ dir, port })], silentReporter);
  const postgres = await startEmbeddedPostgres({ dir, port });
  cleanup.trackGroup(postgres.pid);
  teardown.defer('PostgreSQL', () => postgres.stop());
  return postgres;
}

async function startTemporal(
  scratch: Scratch,
  cleanup: Cleanup,
  teardown: Teardown,
): Promise<RunningTemporal> {
  const version = loadConfig({ cwd: repoRoot, env: {} }).temporal.embedded.version;
  await provision([temporalCliStep({ cacheDir, version })], silentReporter);
  const { embedded } = loadConfig({ cwd: repoRoot, env: {} }).temporal;
  // As `npm start` runs it: file-backed, with the configured durability and dynamic config.
  const temporal = await startTemporalDevServer({
    binary: path.join(cacheDir, 'temporal', version, 'temporal'),
    port: await freePort(),
    namespace: PINCER_NAMESPACE,
    dbFile: path.join(scratch.dataDir, 'temporal', 'temporal.db'),
    durability: embedded.durability,
    dynamicConfig: embedded.dynamicConfig,
  });
  cleanup.trackGroup(temporal.pid);
  teardown.defer('Temporal dev server', () => temporal.stop());
  return temporal;
}

async function startPincerWorkers(
  connection: NativeConnection,
  db: PrismaClient,
  registry: NodeRegistry,
  teardown: Teardown,
): Promise<void> {
  const workers = await startWorkers({
    connection,
    namespace: PINCER_NAMESPACE,
    db,
    registry,
    settings: { allowPrivateHosts: [] },
    services: {},
    log: createLogger('bench-worker', 'warn'),
    secretKey: randomBytes(32),
  });
  teardown.defer("Pincer's workers", () => workers.shutdown());
}

async function startBaselineWorker(connection: NativeConnection, teardown: Teardown): Promise<void> {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(import.meta.dirname, 'baseline-workflows.ts'),
    logger: sdkLogger(),
  });
  const worker = await Worker.create({
    connection,
    namespace: BASELINE_NAMESPACE,
    taskQueue: BASELINE_TASK_QUEUE,
    workflowBundle,
    activities: baselineActivities,
  });
  const running = worker.run();
  teardown.defer('the baseline worker', async () => {
    worker.shutdown();
    await running;
  });
}

async function connectClients(address: string, teardown: Teardown) {
  const connection = await Connection.connect({ address });
  teardown.defer('the Temporal client', () => connection.close());
  return {
    pincer: new Client({ connection, namespace: PINCER_NAMESPACE }),
    baseline: new Client({ connection, namespace: BASELINE_NAMESPACE }),
  };
}

export async function startEnvironment(
  scratch: Scratch,
  cleanup: Cleanup,
  teardown: Teardown,
): Promise<Environment> {
  // The benchmark stops its workers itself, in order, also on Ctrl-C.
  Runtime.install({ logger: sdkLogger(), shutdownSignals: [] });
  const postgres: RunningPostgres = await step('PostgreSQL: initdb and start (fresh cluster)', () =>
    startPostgres(scratch, cleanup, teardown),
  );
  await step('migrations on a fresh database', () => migrateDatabase(postgres.url));
  const temporal = await step('Temporal dev server (SQLite file, as npm start runs it)', () =>
    startTemporal(scratch, cleanup, teardown),
  );
  const db = createDb(postgres.url);
  teardown.defer("the workers' database client", () => db.$disconnect());
  const clientDb = createDb(postgres.url);
  teardown.defer("the client side's database client", () => clientDb.$disconnect());
  const registry = createRegistry();
  const native = await NativeConnection.connect({ address: temporal.address });
  teardown.defer("the workers' Temporal connection", () => native.close());
  await step(`Pincer's workers (namespace ${PINCER_NAMESPACE})`, () =>
    startPincerWorkers(native, db, registry, teardown),
  );
  await step(`baseline worker (bundling its workflows, task queue ${BASELINE_TASK_QUEUE})`, () =>
    startBaselineWorker(native, teardown),
  );
  const clients = await connectClients(temporal.address, teardown);
  return {
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    db,
    clientDb,
    registry,
    ...clients,
    pids: { postgres: postgres.pid, temporal: temporal.pid },
  };
}
