import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
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
