// The hand-written durable equivalent of Pincer's webhook: a node:http server that starts a
// Temporal workflow of three local activities (baseline-workflows.ts, run by the benchmark's
// baseline worker) and answers with its result. Started by run.ts as a child process.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { orderFlow } from './baseline-workflows.ts';
import { portArgument, readJson, sendError, sendJson, serve } from './http-server.ts';
import { BASELINE_NAMESPACE, BASELINE_TASK_QUEUE } from './shapes.ts';

const address = process.env.TEMPORAL_ADDRESS;
if (!address) throw new Error('set TEMPORAL_ADDRESS to the Temporal server');
const connection = await Connection.connect({ address });
const client = new Client({ connection, namespace: BASELINE_NAMESPACE });

const server = createServer((request, response) => {
  readJson(request)
    .then((body) =>
      client.workflow.execute<typeof orderFlow>('orderFlow', {
        taskQueue: BASELINE_TASK_QUEUE,
        workflowId: `order-${randomUUID()}`,
        args: [body],
      }),
    )
    .then((result) => sendJson(response, 200, result))
    .catch((error: unknown) => sendError(response, error));
});

serve(server, portArgument(), 'durable server', () => connection.close());
