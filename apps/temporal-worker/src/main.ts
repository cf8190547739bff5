import path from 'node:path';
import { loadConfig } from '@pincer/config';
import { createDb } from '@pincer/db';
import { CAPABILITIES, createRegistry, loadPlugins } from '@pincer/nodes';
import { loadSecretKey } from '@pincer/provision';
import { closeServer, createLogger, onShutdown, startHealthServer } from '@pincer/runtime';
import { DefaultLogger, type LogEntry, NativeConnection, Runtime } from '@temporalio/worker';
import { repoRoot } from './paths.ts';
import { chatAccessSettings, createServices } from './services.ts';
import { startWorkers } from './workers.ts';

const log = createLogger('worker');
const config = loadConfig();
const address = config.temporal.address;
const databaseUrl = config.database.url;
if (!address || !databaseUrl) {
  log.fatal(
    'TEMPORAL_ADDRESS and DATABASE_URL must be set: start the worker through `npm start`, or set them',
  );
  process.exit(1);
}

// The SDK's own events (worker state, workflow and activity failures) go through the same
// structured logger as ours.
const SDK_LEVEL = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
} as const;
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
Runtime.install({
  logger: new DefaultLogger(SDK_LEVEL[config.logLevel], (entry: LogEntry) => {
    log[PINO_METHOD[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
  }),
});

const plugins = await loadPlugins(path.join(repoRoot, 'plugins'));
for (const error of plugins.errors) log.error({ error }, 'plugin not loaded');
const registry = createRegistry(plugins.nodes);
const db = createDb(databaseUrl);
const secretKey = await loadSecretKey(config).catch((error: unknown) => {
  log.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(1);
});
const capabilities = config.worker.capabilities ?? CAPABILITIES;
const running = await createServices({ config, db, log, capabilities }).catch((error: unknown) => {
  log.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(1);
});
const connection = await NativeConnection.connect({ address });
const workers = await startWorkers({
  connection,
  namespace: config.temporal.namespace,
  db,
  registry,
  settings: { allowPrivateHosts: config.nodes.allowPrivateHosts },
  services: running.services,
  log,
  secretKey,
  chat: chatAccessSettings(config),
  capabilities,
});

const health = await startHealthServer(config.worker.healthPort, config.worker.healthHost, () => {
  const states = workers.states();
  return {
    status: Object.values(states).every((state) => state === 'RUNNING') ? 'ok' : 'failing',
    states,
    namespace: config.temporal.namespace,
    nodeTypes: registry.types().length,
    ...running.health(),
  };
});

log.info({ address, taskQueues: workers.taskQueues, nodeTypes: registry.types() }, 'worker polling');
workers.done.catch((error: unknown) => {
  log.fatal({ err: error }, 'worker stopped with an error');
  process.exit(1);
});

onShutdown(log, async () => {
  await workers.shutdown();
  await running.close();
  await closeServer(health);
  await connection.close();
  await db.$disconnect();
});
