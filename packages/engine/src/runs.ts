import { artifactUrl } from '@pincer/artifacts';
import type { PrismaClient, RunStatus, StepStatus, TriggerKind } from '@pincer/db';
import {
  answerUpdate,
  approveSignal,
  INTERPRETER_WORKFLOW,
  mayDecide,
  type Plan,
  planFromJson,
  type RunAnswer,
  type RunInput,
  type RunResult,
  runWorkflowId,
} from '@pincer/workflow';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';
import { uuidv7 } from './ids.ts';
import { nulPath } from './nul.ts';
import { findVersionRef, type VersionRef } from './workflows.ts';

/** The task queue the interpreter workflows run on. */
export const WORKFLOW_TASK_QUEUE = 'pincer-core';

export interface StartRunRequest {
  workflow: string;
  version?: number;
  /** The version, already looked up (a webhook's authentication finds it): no second lookup. */
  versionRef?: VersionRef;
  input?: unknown;
  triggerKind?: TriggerKind;
  triggerId?: string;
  actor: string;
  userId?: string;
  parentRunId?: string;
  /** When Temporal started the run itself (a schedule): its workflow id. */
  temporalWorkflowId?: string;
  temporalRunId?: string;
  /** A re-run from a step: outputs kept from the earlier run (see `rerunRun`). */
  kept?: RunInput['kept'];
}

// Compiled input checks by version id: versions never change.
const inputCheckers = new Map<string, z.ZodType>();

/**
 * Checks a start's input against the manual trigger's `input_schema`. Webhooks and schedules
 * bring their own shape (a request body, nothing); every other start is a person or a workflow
 * passing input on purpose, and a mistake is theirs to fix before anything runs.
 */
function checkInput(
  versionId: string,
  workflow: string,
  schema: Record<string, unknown>,
  input: unknown,
): void {
  let checker = inputCheckers.get(versionId);
  if (!checker) {
    checker = z.fromJSONSchema(schema);
    inputCheckers.set(versionId, checker);
  }
  const result = checker.safeParse(input);
  if (result.success) return;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
  throw new EngineError(
    'input_invalid',
    `The input does not match the input_schema of "${workflow}": ${problems}. Fix the input; the schema is under triggers: in the workflow.`,
  );
}

// Plans by version id: versions never change, and a plan is parsed once per process, not per run.
const plans = new Map<string, Plan>();
const PLANS_KEPT = 500;

export async function planOf(db: PrismaClient, version: VersionRef): Promise<Plan> {
  let plan = plans.get(version.versionId);
  if (!plan) {
    const row = await db.workflowVersion.findUniqueOrThrow({
      where: { id: version.versionId },
      select: { plan: true },
    });
    plan = planFromJson(row.plan);
    if (plans.size >= PLANS_KEPT) plans.clear();
    plans.set(version.versionId, plan);
  }
  return plan;
}

/**
 * The Run row (queued) and its `run.started` audit event in one statement. A start that Temporal
 * already made (a schedule's, replayed after a crash) finds its row instead of a second one.
 */
const CREATE_RUN_SQL = `
WITH run AS (
  INSERT INTO runs (id, workflow_id, workflow_version_id, temporal_workflow_id, temporal_run_id,
                    trigger_kind, trigger_id, triggered_by_id, parent_run_id, actor, input, updated_at)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::trigger_kind, $7::uuid, $8::uuid, $9::uuid, $10,
          $11::jsonb, now())
  ON CONFLICT (temporal_workflow_id) DO NOTHING
  RETURNING id
),
audit AS (
  INSERT INTO audit_events (id, actor, action, target_type, target_id, data)
  SELECT $12::uuid, $10, 'run.started', 'run', run.id::text, $13::jsonb FROM run
)
SELECT id::text FROM run
UNION ALL
SELECT id::text FROM runs WHERE temporal_workflow_id = $4
LIMIT 1`;

/**
 * The run input as JSON for its row. PostgreSQL's jsonb cannot hold a NUL character: an input
 * with one is refused, naming where it is.
 */
export function storableInput(value: unknown): string {
  const input = JSON.stringify(value ?? {});
  const nul = input.includes('\\u0000') ? nulPath(value) : null;
  if (nul) {
    throw new EngineError(
      'input_invalid',
      `The run input has a NUL character (\\u0000) in ${nul}, which cannot be stored: remove it, or send binary data base64-encoded.`,
    );
  }
  return input;
}

/** Creates the Run row (queued) and the interpreter's input, pinned to one workflow version. */
export async function createRun(db: PrismaClient, request: StartRunRequest): Promise<RunInput> {
  const version = request.versionRef ?? (await findVersionRef(db, request.workflow, request.version));
  const plan = await planOf(db, version);
  const trigger = request.triggerKind ?? 'manual';
  if (plan.inputSchema && trigger !== 'webhook' && trigger !== 'schedule')
    checkInput(version.versionId, version.workflow, plan.inputSchema, request.input ?? {});
  const input = storableInput(request.input);
  const id = uuidv7();
  const audit = {
    workflow: version.workflow,
    version: version.version,
    trigger,
    ...(request.kept
      ? { rerunOf: request.kept.fromRunId, keptSteps: Object.keys(request.kept.outputs) }
      : {}),
  };
  // One statement: a run start is on every webhook's hot path.
  const [run] = await db.$queryRawUnsafe<{ id: string }[]>(
    CREATE_RUN_SQL,
    id,
    version.workflowId,
    version.versionId,
    request.temporalWorkflowId ?? runWorkflowId(id),
    request.temporalRunId ?? null,
    trigger,
    request.triggerId ?? null,
    request.userId ?? null,
    request.parentRunId ?? null,
    request.actor,
    input,
    uuidv7(),
    JSON.stringify(audit),
  );
  if (!run) throw new Error(`Run ${id} was neither created nor found: the database refused it silently.`);
  return {
    runId: run.id,
    workflow: { name: version.workflow, version: version.version, versionId: version.versionId },
    plan,
    trigger: request.input ?? {},
    ...(request.kept ? { kept: request.kept } : {}),
  };
}

export interface RerunRequest {
  runId: string;
  /** Run again from this step; without it, the whole run again. */
  fromStep?: string;
  actor: string;
  userId?: string;
}

/**
 * Runs a run's workflow version again with the same input. From a step: the steps before it
 * that succeeded keep their outputs (they are not run again); the step and everything that
 * follows from it run anew. Returns the new run.
 */
export async function rerunRun(db: PrismaClient, temporal: Client, request: RerunRequest): Promise<RunInput> {
  const original = await db.run.findUnique({
    where: { id: request.runId },
    include: {
      workflow: { select: { name: true } },
      workflowVersion: { select: { version: true, plan: true } },
      steps: { where: { iterationKey: '' } },
    },
  });
  if (!original)
    throw new EngineError(
      'run_not_found',
      `No run with id ${request.runId}: list runs with \`pincer runs list\`.`,
    );
  let kept: RunInput['kept'];
  if (request.fromStep !== undefined) {
    const plan = planFromJson(original.workflowVersion.plan);
    const names = plan.steps.map((step) => step.name);
    if (!names.includes(request.fromStep)) {
      throw new EngineError(
        'input_invalid',
        `Run ${original.id} has no step "${request.fromStep}"; its steps: ${names.join(', ')}.`,
      );
    }
    // The step and every step that needs it, directly or not, run again.
    const again = new Set([request.fromStep]);
    for (const step of plan.steps) {
      if (step.needs.some((need) => again.has(need.step))) again.add(step.name);
    }
    const outputs: Record<string, unknown> = {};
    for (const step of original.steps) {
      if (step.status === 'succeeded' && !again.has(step.stepName)) outputs[step.stepName] = step.output;
    }
    kept = { fromRunId: original.id, outputs };
  }
  return startRun(db, temporal, {
    workflow: original.workflow.name,
    version: original.workflowVersion.version,
    input: original.input,
    triggerKind: original.triggerKind,
    actor: request.actor,
    ...(request.userId ? { userId: request.userId } : {}),
    ...(kept ? { kept } : {}),
  });
}

/** Records the run and starts its interpreter workflow on Temporal. */
export async function startRun(
  db: PrismaClient,
  temporal: Client,
  request: StartRunRequest,
): Promise<RunInput> {
  const input = await createRun(db, request);
  try {
    await temporal.workflow.start(INTERPRETER_WORKFLOW, {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: runWorkflowId(input.runId),
      args: [input],
    });
  } catch (error) {
    // Never leave a run that Temporal does not know about looking queued.
    const message = error instanceof Error ? error.message : String(error);
    await db.run.update({
      where: { id: input.runId },
      data: {
        status: 'failed',
        finishedAt: new Date(),
        error: { step: null, message: `not started: ${message}` },
      },
    });
    throw error;
  }
  // Temporal's run id is written by the interpreter with its first record, not here: one round
  // trip less on every start.
  return input;
}

/** The Temporal workflow of a run (scheduled runs have ids Temporal chose). */
async function handleOf(db: PrismaClient, temporal: Client, runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { temporalWorkflowId: true } });
  if (!run)
    throw new EngineError('run_not_found', `No run with id ${runId}: list runs with \`pincer runs list\`.`);
  return temporal.workflow.getHandle(run.temporalWorkflowId);
}

/**
 * Waits for a run's interpreter to finish and returns its result (throws if it was cancelled).
 * Runs started here have the workflow id `runWorkflowId(id)`: only a scheduled run's id is looked up.
 */
export async function waitForRun(db: PrismaClient, temporal: Client, runId: string): Promise<RunResult> {
  try {
    return await temporal.workflow.getHandle(runWorkflowId(runId)).result();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  return (await handleOf(db, temporal, runId)).result();
}

/**
 * Waits for the answer of a run that someone waits on (a `respond: when_done` webhook): its
 * respond step's answer as soon as that step has run, else its result when it ends.
 */
export async function waitForAnswer(temporal: Client, runId: string): Promise<RunAnswer> {
  const handle = temporal.workflow.getHandle(runWorkflowId(runId));
  try {
    return await handle.executeUpdate(answerUpdate);
  } catch (error) {
    // The run may have ended before the question reached it: its result holds the answer then.
    if (error instanceof WorkflowUpdateFailedError) throw error;
    return { result: await handle.result() };
  }
}

export interface RunView {
  id: string;
  workflow: string;
  version: number;
  status: RunStatus;
  trigger: TriggerKind;
  actor: string;
  input: unknown;
  output: unknown;
  error: unknown;
  parentRunId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  steps: {
    name: string;
    iteration: string;
    type: string;
    status: StepStatus;
    attempts: number;
    input: unknown;
    output: unknown;
    error: unknown;
    startedAt: Date | null;
    finishedAt: Date | null;
  }[];
  /** Files the steps produced (screenshots, PDFs, sandbox outputs), oldest first. */
  artifacts: {
    id: string;
    step: string;
    name: string;
    mediaType: string;
    size: number;
    sha256: string;
    url: string;
    createdAt: Date;
  }[];
}

export async function getRun(db: PrismaClient, runId: string): Promise<RunView> {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: {
      workflow: { select: { name: true } },
      workflowVersion: { select: { version: true, plan: true } },
      steps: true,
      artifacts: { orderBy: { createdAt: 'asc' } },
    },
  });
  if (!run)
    throw new EngineError('run_not_found', `No run with id ${runId}: list runs with \`pincer runs list\`.`);
  const order = new Map(
    planFromJson(run.workflowVersion.plan).steps.map((step, index) => [step.name, index]),
  );
  const steps = [...run.steps].sort(
    (a, b) =>
      (order.get(a.stepName) ?? 0) - (order.get(b.stepName) ?? 0) ||
      a.iterationKey.localeCompare(b.iterationKey, undefined, { numeric: true }),
  );
  return {
    id: run.id,
    workflow: run.workflow.name,
    version: run.workflowVersion.version,
    status: run.status,
    trigger: run.triggerKind,
    actor: run.actor,
    input: run.input,
    output: run.output,
    error: run.error,
    parentRunId: run.parentRunId,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    steps: steps.map((step) => ({
      name: step.stepName,
      iteration: step.iterationKey,
      type: step.nodeType,
      status: step.status,
      attempts: step.attempt,
      input: step.input,
      output: step.output,
      error: step.error,
      startedAt: step.startedAt,
      finishedAt: step.finishedAt,
    })),
    artifacts: run.artifacts.map((artifact) => ({
      id: artifact.id,
      step: artifact.stepName,
      name: artifact.name,
      mediaType: artifact.mediaType,
      size: artifact.size,
      sha256: artifact.sha256,
      url: artifactUrl(run.id, artifact.id),
      createdAt: artifact.createdAt,
    })),
  };
}

/** A run with each step's logs, as the studio's run page shows it. */
export async function runWithLogs(db: PrismaClient, runId: string) {
  const view = await getRun(db, runId);
  const extra = await db.stepRun.findMany({
    where: { runId },
    select: { stepName: true, iterationKey: true, logs: true },
  });
  const logs = new Map(extra.map((row) => [`${row.stepName}/${row.iterationKey}`, row.logs]));
  return {
    ...view,
    steps: view.steps.map((step) => ({ ...step, logs: logs.get(`${step.name}/${step.iteration}`) ?? null })),
  };
}

export async function listRuns(
  db: PrismaClient,
  filter: {
    workflow?: string;
    status?: RunStatus;
    trigger?: TriggerKind;
    /** Only runs created at or after this time. */
    since?: Date;
    limit?: number;
  } = {},
) {
  const runs = await db.run.findMany({
    where: {
      ...(filter.workflow ? { workflow: { name: filter.workflow } } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.trigger ? { triggerKind: filter.trigger } : {}),
      ...(filter.since ? { createdAt: { gte: filter.since } } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: Math.min(filter.limit ?? 50, 500),
    include: { workflow: { select: { name: true } }, workflowVersion: { select: { version: true } } },
  });
  return runs.map((run) => ({
    id: run.id,
    workflow: run.workflow.name,
    version: run.workflowVersion.version,
    status: run.status,
    trigger: run.triggerKind,
    actor: run.actor,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  }));
}

const FINISHED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

/** Whether a run has ended (whatever its outcome): nothing more happens to it. */
export function isFinished(status: RunStatus): boolean {
  return FINISHED.has(status);
}

/** Asks a run to stop; refuses a run that has already finished. Answers its status when asked. */
export async function cancelRun(
  db: PrismaClient,
  temporal: Client,
  runId: string,
  actor: string,
): Promise<{ id: string; status: RunStatus }> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true } });
  if (run && isFinished(run.status)) {
    throw new EngineError(
      'run_finished',
      `Run ${runId} has already finished (${run.status}): there is nothing to cancel.`,
    );
  }
  const handle = await handleOf(db, temporal, runId);
  try {
    await handle.cancel();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  await audit(db, { actor, action: 'run.cancel_requested', targetId: runId });
  return { id: runId, status: run?.status ?? 'queued' };
}

/** What a waiting approval step recorded as its input: who may answer (none: any editor or owner). */
function approversOf(input: unknown): string[] | undefined {
  if (input === null || typeof input !== 'object' || !('approvers' in input)) return undefined;
  const { approvers } = input;
  return Array.isArray(approvers) ? approvers.filter((email) => typeof email === 'string') : undefined;
}

/**
 * Signals a waiting approval step. `approver` is the deciding Pincer user's e-mail (a session or
 * token); a step that names approvers refuses anyone else here, and the run itself ignores their
 * decision whatever path it came by (see the interpreter's runApproval).
 */
export async function decideApproval(
  db: PrismaClient,
  temporal: Client,
  request: {
    runId: string;
    step: string;
    approved: boolean;
    actor: string;
    approver?: string;
    comment?: string;
  },
): Promise<void> {
  // `step` or `step[3]`: the approval of one item of a for-each.
  const [, stepName = request.step, iteration = ''] = request.step.match(/^(.+?)(?:\[(\d+)\])?$/) ?? [];
  const waiting = await db.stepRun.findFirst({
    where: { runId: request.runId, stepName, iterationKey: iteration, status: 'waiting_approval' },
  });
  if (!waiting) {
    throw new EngineError(
      'run_not_waiting',
      `Run ${request.runId} has no step "${request.step}" waiting for approval.`,
    );
  }
  const approvers = approversOf(waiting.input);
  if (!mayDecide(approvers, request.approver)) {
    throw new EngineError(
      'not_an_approver',
      `Step "${request.step}" may only be approved by ${approvers?.join(', ')}; ${request.approver ?? request.actor} is not one of them.`,
    );
  }
  await (await handleOf(db, temporal, request.runId)).signal(approveSignal, {
    step: request.step,
    approved: request.approved,
    by: request.actor,
    ...(request.approver ? { approver: request.approver } : {}),
    ...(request.comment ? { comment: request.comment } : {}),
  });
  await audit(db, {
    actor: request.actor,
    action: request.approved ? 'approval.approved' : 'approval.rejected',
    targetId: request.runId,
    data: { step: request.step, ...(request.comment ? { comment: request.comment } : {}) },
  });
}
