import type { PrismaClient } from '@pincer/db';
import { getRun, type RunView, startRun, waitForRun } from '@pincer/engine';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import type { Caller } from './auth.ts';
import { ApiError } from './errors.ts';

/** How long `wait: true` holds the request open before answering 504 with the run id. */
export const MAX_WAIT_MS = 5 * 60_000;

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export function isFinished(status: string): boolean {
  return FINISHED.has(status);
}

export async function startManualRun(
  db: PrismaClient,
  temporal: Client,
  caller: Caller,
  request: { workflow: string; version?: number; input?: unknown },
): Promise<string> {
  const started = await startRun(db, temporal, {
    workflow: request.workflow,
    ...(request.version !== undefined ? { version: request.version } : {}),
    input: request.input ?? {},
    triggerKind: 'manual',
    actor: caller.actor,
    userId: caller.user.id,
  });
  return started.runId;
}

/**
 * Waits until the run has finished and returns its record; a run that fails or is cancelled is
 * an answer too, not an error. Past `limitMs` it answers 504 naming the run to follow up on.
 */
export async function waitForFinishedRun(
  db: PrismaClient,
  temporal: Client,
  runId: string,
  limitMs = MAX_WAIT_MS,
): Promise<RunView> {
  const deadline = AbortSignal.timeout(limitMs);
  try {
    await temporal.withAbortSignal(deadline, () => waitForRun(db, temporal, runId));
  } catch (error) {
    if (deadline.aborted) {
      throw new ApiError(
        504,
        'run_timeout',
        `Run ${runId} is still running after ${Math.round(limitMs / 1000)} s: follow it with GET /api/v1/runs/${runId}.`,
        { runId },
      );
    }
    if (!(error instanceof WorkflowFailedError)) throw error;
  }
  return getRun(db, runId);
}
