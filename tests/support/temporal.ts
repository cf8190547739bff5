import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApprovalDecision, approveSignal } from '@pincer/workflow/runtime';
import { type Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { inject } from 'vitest';
import './provided-context.ts';

/**
 * A fresh namespace on the test run's Temporal server: test files run in parallel, and a worker
 * of one file must never pick up another file's runs from the shared `pincer-*` task queues.
 */
export async function createTestNamespace(prefix = 'test'): Promise<string> {
  const namespace = `${prefix}-${randomBytes(5).toString('hex')}`;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return namespace;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`namespace ${namespace} did not become available`);
  } finally {
    await connection.close();
  }
}

/**
 * Sends an approval decision straight to a run's workflow (as a chat conversation, or anyone who
 * reaches Temporal, does) and waits until a workflow task has handled it, so a later decision
 * cannot land in the same task and overwrite it.
 */
export async function signalHandled(
  client: Client,
  workflowId: string,
  decision: ApprovalDecision,
): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  await handle.signal(approveSignal, decision);
  const { EventType } = temporal.api.enums.v1;
  for (let attempt = 0; attempt < 600; attempt++) {
    const events = (await handle.fetchHistory()).events ?? [];
    const signalled = events.findLastIndex(
      (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    );
    if (
      events
        .slice(signalled + 1)
        .some((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    )
      return;
    await sleep(100);
  }
  throw new Error(`no workflow task of ${workflowId} handled the decision`);
}
