import { setTimeout as sleep } from 'node:timers/promises';
import { RunStatus, TriggerKind } from '@pincer/db';
import {
  cancelRun,
  decideApproval,
  isFinished,
  listRuns,
  type RunView,
  rerunRun,
  runWithLogs,
} from '@pincer/engine';
import { z } from 'zod';
import { getTemporal } from '../../services.ts';
import { editorProcedure, router, viewerProcedure } from '../init.ts';

const RunId = z.uuid();
/** How often one open run view re-reads its run (one loop per watcher, on the server). */
const WATCH_INTERVAL_MS = 400;

/** A fingerprint of what the UI shows: a new one means there is something new to send. */
function fingerprint(view: RunView): string {
  return JSON.stringify([
    view.status,
    view.finishedAt,
    view.steps.map((s) => [s.name, s.iteration, s.status, s.attempts, s.finishedAt]),
  ]);
}

export const runsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          workflow: z.string().optional(),
          status: z.enum(RunStatus).optional(),
          trigger: z.enum(TriggerKind).optional(),
          since: z.date().optional(),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .default({ limit: 100 }),
    )
    .query(({ ctx, input }) => listRuns(ctx.db, input)),

  get: viewerProcedure
    .input(z.object({ id: RunId }))
    .query(({ ctx, input }) => runWithLogs(ctx.db, input.id)),

  /**
   * The run as it changes, pushed over server-sent events: one server-side loop per open view,
   * sending only when something the UI shows has changed, and ending once the run has finished.
   */
  watch: viewerProcedure.input(z.object({ id: RunId })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    let last = '';
    while (!signal?.aborted) {
      const view = await runWithLogs(ctx.db, input.id);
      const print = fingerprint(view);
      if (print !== last) {
        last = print;
        yield view;
      }
      if (isFinished(view.status)) return;
      await sleep(WATCH_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    }
  }),

  cancel: editorProcedure.input(z.object({ id: RunId })).mutation(async ({ ctx, input }) => {
    await cancelRun(ctx.db, await getTemporal(), input.id, ctx.actor);
    return { id: input.id };
  }),

  decide: editorProcedure
    .input(
      z.object({
        id: RunId,
        step: z.string().min(1),
        approved: z.boolean(),
        comment: z.string().max(1000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await decideApproval(ctx.db, await getTemporal(), {
        runId: input.id,
        step: input.step,
        approved: input.approved,
        actor: ctx.actor,
        approver: ctx.user.email,
        ...(input.comment ? { comment: input.comment } : {}),
      });
      return { id: input.id };
    }),

  /** Runs the same version again with the same input; from a step, earlier steps keep their outputs. */
  rerun: editorProcedure
    .input(z.object({ id: RunId, fromStep: z.string().min(1).max(100).optional() }))
    .mutation(async ({ ctx, input }) => {
      const started = await rerunRun(ctx.db, await getTemporal(), {
        runId: input.id,
        actor: ctx.actor,
        userId: ctx.user.id,
        ...(input.fromStep ? { fromStep: input.fromStep } : {}),
      });
      return { runId: started.runId };
    }),
});
