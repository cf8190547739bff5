import { loadConfig } from '@pincer/config';
import { closeServer, createLogger, onShutdown, startHealthServer } from '@pincer/runtime';
import { NativeConnection, Worker } from '@temporalio/worker';
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
