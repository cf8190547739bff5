import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArtifactStore, type SharedArtifactStore } from '@pincer/artifacts';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import {
  type ChatAccessSettings,
  getRun,
  type RunView,
  saveWorkflow,
  startRun,
  waitForRun,
} from '@pincer/engine';
import { createRegistry, type NodeRegistry, type NodeServices } from '@pincer/nodes';
import { createLogger } from '@pincer/runtime';
import { type RunningWorkers, startWorkers } from '@pincer/temporal-worker';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { createTestDatabase } from './db.ts';
import { createTestNamespace } from './temporal.ts';

export interface TestEngine {
  db: PrismaClient;
  client: Client;
  registry: NodeRegistry;
  namespace: string;
  databaseUrl: string;
  /** The credentials key the workers use. */
  secretKey: Buffer;
  workers: RunningWorkers | undefined;
  /** Where the workers' steps keep their files. */
  artifacts: SharedArtifactStore;
  /** Imports a workflow from YAML; returns its version. */
  save(yaml: string): Promise<number>;
  /** Starts a run and returns its id without waiting. */
  start(workflow: string, input?: unknown): Promise<string>;
  /** Starts a run, waits for its end and returns the recorded run. */
  run(workflow: string, input?: unknown): Promise<RunView>;
  stop(): Promise<void>;
}

/**
 * The engine as it runs in production, in this test process: a fresh migrated database, a fresh
 * Temporal namespace on the test run's dev server, and the real workers on every task queue.
 */
export async function startTestEngine(
  options: {
    allowPrivateHosts?: string[];
    workers?: boolean;
    /** What the nodes get (sandbox, model, browser, channels); an artifact store is always there. */
    services?: NodeServices;
    /** Who may talk to the assistant from chat (the `channels` allow-lists and owners). */
    chat?: ChatAccessSettings;
  } = {},
): Promise<TestEngine> {
  const databaseUrl = await createTestDatabase('engine');
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl);
  const address = inject('temporalAddress');
  const namespace = await createTestNamespace('engine');
  const registry = createRegistry();
  const secretKey = randomBytes(32);
  const artifacts = createArtifactStore({
    db,
    dir: await mkdtemp(path.join(tmpdir(), 'pincer-artifacts-')),
    maxBytes: 20 * 1024 * 1024,
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const workers =
    options.workers === false
      ? undefined
      : await startWorkers({
          connection: nativeConnection,
          namespace,
          db,
          registry,
          settings: { allowPrivateHosts: options.allowPrivateHosts ?? [] },
          services: { artifacts, ...options.services },
          log: createLogger('test-worker', 'warn'),
          secretKey,
          ...(options.chat ? { chat: options.chat } : {}),
        });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const start = async (workflow: string, input?: unknown) =>
    (await startRun(db, client, { workflow, input: input ?? {}, actor: 'test' })).runId;
  return {
    db,
    client,
    registry,
    namespace,
    databaseUrl,
    secretKey,
    workers,
    artifacts,
    async save(yaml) {
      return (await saveWorkflow(db, { source: yaml, catalog: registry, actor: 'test' })).version;
    },
    start,
    async run(workflow, input) {
      const runId = await start(workflow, input);
      await waitForRun(db, client, runId).catch(() => undefined);
      return getRun(db, runId);
    },
    async stop() {
      await workers?.shutdown();
      await connection.close();
      await nativeConnection.close();
      await db.$disconnect();
    },
  };
}
