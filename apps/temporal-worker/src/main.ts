import { loadConfig } from '@pincer/config';
import { closeServer, createLogger, onShutdown, startHealthServer } from '@pincer/runtime';
import { DefaultLogger, type LogEntry, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities/index.ts';
import { prebuiltBundle, workflowsPath } from './bundle.ts';
import { TASK_QUEUES } from './task-queues.ts';

const log = createLogger('worker');
const config = loadConfig();
const address = config.temporal.address;
if (!address) {
  log.fatal('TEMPORAL_ADDRESS is not set: start the worker through `npm start`, or set TEMPORAL_ADDRESS');
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

const connection = await NativeConnection.connect({ address });
const bundle = prebuiltBundle();
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: TASK_QUEUES.core,
  activities,
  ...(bundle ? { workflowBundle: bundle } : { workflowsPath }),
});

const health = await startHealthServer(config.worker.healthPort, config.worker.healthHost, () => ({
  status: worker.getState() === 'RUNNING' ? 'ok' : 'failing',
  state: worker.getState(),
  taskQueues: Object.values(TASK_QUEUES),
  namespace: config.temporal.namespace,
}));

log.info(
  { address, taskQueues: Object.values(TASK_QUEUES), prebuiltBundle: Boolean(bundle) },
  'worker polling',
);
const running = worker.run().catch((error: unknown) => {
  log.fatal({ err: error }, 'worker stopped with an error');
  process.exit(1);
});

onShutdown(log, async () => {
  worker.shutdown();
  await running;
  await closeServer(health);
  await connection.close();
});
