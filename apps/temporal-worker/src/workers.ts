import type { PrismaClient } from '@pincer/db';
import type { ChatAccessSettings } from '@pincer/engine';
import {
  CAPABILITIES,
  type Capability,
  type NodeRegistry,
  type NodeServices,
  type NodeSettings,
  taskQueueFor,
} from '@pincer/nodes';
import type { Logger } from '@pincer/runtime';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createChatActivities } from './activities/chat.ts';
import { createInterpreterActivities } from './activities/interpreter.ts';
import { describeWorker } from './activities/self-test.ts';
import { prebuiltBundle, workflowsPath } from './bundle.ts';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  db: PrismaClient;
  registry: NodeRegistry;
  settings: NodeSettings;
  services: NodeServices;
  log: Logger;
  secretKey: Buffer;
  /** Who may talk to the assistant and run what from chat; nobody but allow-lists when absent. */
  chat?: ChatAccessSettings;
  /** The capability queues to serve; all when absent. */
  capabilities?: readonly Capability[];
}

export interface RunningWorkers {
  taskQueues: string[];
  states(): Record<string, string>;
  /** Resolves when every worker has stopped; rejects if one fails. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * One Temporal worker per capability queue, all in this process; the core queue also runs the
 * interpreter workflows. Scale a capability by running more worker processes.
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const activities = {
    ...createInterpreterActivities({
      db: deps.db,
      registry: deps.registry,
      settings: deps.settings,
      services: deps.services,
      log: deps.log,
      secretKey: deps.secretKey,
    }),
    ...createChatActivities({
      db: deps.db,
      services: deps.services,
      registry: deps.registry,
      chat: deps.chat ?? { owners: [], workflows: [], allow: {} },
      log: deps.log,
    }),
    describeWorker,
  };
  const bundle = prebuiltBundle();
  const served = deps.capabilities ?? CAPABILITIES;
  const taskQueues = served.map(taskQueueFor);
  const workers = await Promise.all(
    served.map((capability) =>
      Worker.create({
        connection: deps.connection,
        namespace: deps.namespace,
        taskQueue: taskQueueFor(capability),
        activities,
        ...(capability === 'core' ? (bundle ? { workflowBundle: bundle } : { workflowsPath }) : {}),
      }),
    ),
  );
  const done = Promise.all(workers.map((worker) => worker.run())).then(() => undefined);
  return {
    taskQueues,
    states: () =>
      Object.fromEntries(taskQueues.map((queue, index) => [queue, workers[index]?.getState() ?? 'UNKNOWN'])),
    done,
    async shutdown() {
      for (const worker of workers) worker.shutdown();
      await done;
    },
  };
}
