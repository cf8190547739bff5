/**
 * A for-each with many items, in a workflow of its own: it handles up to ITEMS_PER_EXECUTION
 * items per execution and then continues as new, so a loop over 100 000 items never grows one
 * history past Temporal's limits. Deterministic workflow code.
 */
import type { PlanTask, Scope } from '@pincer/workflow/runtime';
import { CancellationScope, continueAsNew, workflowInfo } from '@temporalio/workflow';
import {
  approversInWorkflow,
  createTaskRunner,
  ITEMS_PER_EXECUTION,
  inlinePureSteps,
  limitedExpressions,
  runLanes,
  type TaskOwner,
} from './tasks.ts';

export interface ForEachLoopInput {
  runId: string;
  step: TaskOwner;
  each: PlanTask;
  items: unknown[];
  concurrency: number;
  scope: Scope;
  secretNonce: string;
  /** The first item this execution handles; results[0..offset) are done. */
  offset: number;
  results: unknown[];
}

export async function forEachLoop(input: ForEachLoopInput): Promise<unknown[]> {
  const inline = inlinePureSteps();
  const checkApprovers = approversInWorkflow();
  const limited = limitedExpressions();
  const { runItem, flush } = createTaskRunner({
    runId: input.runId,
    workflow: input.scope.run.workflow,
    scope: input.scope,
    secretNonce: input.secretNonce,
    decisions: new Map(),
    checkApprovers,
    limitedExpressions: limited,
    inline,
    onState: () => undefined,
  });
  const results = [...input.results];
  const stopAt = Math.min(input.items.length, input.offset + ITEMS_PER_EXECUTION);
  // The records of items that ran inline are written even when an item failed.
  const done = await (async () => {
    try {
      return await runLanes(
        stopAt,
        input.offset,
        input.concurrency,
        (): boolean => workflowInfo().continueAsNewSuggested,
        async (index) => {
          results[index] = await runItem(input.step, input.each, input.items, index, input.scope);
        },
      );
    } finally {
      await CancellationScope.nonCancellable(flush);
    }
  })();
  if (done < input.items.length) {
    return continueAsNew<typeof forEachLoop>({ ...input, offset: done, results });
  }
  return results;
}
