/**
 * The worker serves only the runs Pincer started. Temporal does not authenticate its callers: any
 * local process that reaches its port can start `interpretPlan` with a plan of its own. So before
 * an activity acts for a run (a side effect, a record, a secret), the run must be a Run row that
 * is still going, started as the workflow that calls, and a secret is read only if the step of the
 * run's pinned version names it. See docs/security.md, "Local users".
 */
import type { PrismaClient } from '@pincer/db';
import { type Plan, type PlanTask, planFromJson, secretsNamedIn } from '@pincer/workflow';
import { ApplicationFailure, Context } from '@temporalio/activity';

/** A run the worker has checked: the steps of its pinned plan, by name. */
interface KnownRun {
  steps: Map<string, PlanTask>;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
/** Checked runs kept in memory, so that a run costs one query, not one per activity. */
const KEPT = 2000;

function refused(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${message}. This worker runs only the runs Pincer starts (studio, API, CLI, chat, schedules, webhooks), not workflows started on Temporal directly.`,
    'NotAPincerRun',
  );
}

function stepsOf(plan: Plan): Map<string, PlanTask> {
  return new Map(plan.steps.map((step) => [step.name, step]));
}

export function createRunGuard(db: PrismaClient) {
  const known = new Map<string, Promise<KnownRun>>();

  async function load(runId: string, workflowId: string, ownerStep: string | undefined): Promise<KnownRun> {
    const run = await db.run.findUnique({
      where: { id: runId },
      select: { status: true, temporalWorkflowId: true, workflowVersion: { select: { plan: true } } },
    });
    if (!run) throw refused(`Workflow ${workflowId} names run ${runId}, which does not exist`);
    const loop = ownerStep === undefined ? undefined : `${run.temporalWorkflowId}-${ownerStep}-items`;
    if (workflowId !== run.temporalWorkflowId && workflowId !== loop)
      throw refused(`Run ${runId} belongs to workflow ${run.temporalWorkflowId}, not to ${workflowId}`);
    if (FINISHED.has(run.status)) throw refused(`Run ${runId} has already ended (${run.status})`);
    return { steps: stepsOf(planFromJson(run.workflowVersion.plan)) };
  }

  /**
   * The run the calling workflow acts for, checked once per workflow and run. `step` is the step
   * the activity is for: a for-each's items may run in that step's own loop workflow.
   */
  function check(runId: string, step?: string): Promise<KnownRun> {
    // A workflow id is reused once its run has closed: the Temporal run id tells the two apart.
    const caller = Context.current().info.workflowExecution;
    if (!caller) return Promise.reject(refused(`Run ${runId} was asked for outside a workflow`));
    const { workflowId, runId: execution } = caller;
    const key = `${workflowId}\n${execution}\n${runId}`;
    let found = known.get(key);
    if (!found) {
      found = load(runId, workflowId, step);
      found.catch(() => known.delete(key));
      if (known.size >= KEPT) known.clear();
      known.set(key, found);
    }
    return found;
  }

  /** Refuses a secret that the step (or its for-each item step) of the pinned version does not name. */
  function assertNamed(run: KnownRun, step: string, secret: string): void {
    const task = run.steps.get(step);
    const named = new Set([...secretsNamedIn(task?.config), ...secretsNamedIn(task?.each?.config)]);
    if (!named.has(secret))
      throw refused(`Step "${step}" of this run's pinned version does not name the secret "${secret}"`);
  }

  return { check, assertNamed };
}

export type RunGuard = ReturnType<typeof createRunGuard>;
