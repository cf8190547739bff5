/**
 * Runs whose every step is pure (transform, condition, switch, respond) have no side effect to
 * make durable: the process that starts one (the web server, for a webhook) runs it itself, with
 * the interpreter's rules (@pincer/workflow `readiness`, the pure nodes' own `run`), and records
 * the finished run with its steps in one statement before anyone hears its answer. No Temporal
 * workflow: a crash before that statement commits loses a run nobody was answered for; after it,
 * the run is there like any other. Anything else (an activity, a control step, a secret) goes to
 * the interpreter on Temporal as before.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@pincer/db';
import { PURE_NODES } from '@pincer/nodes/pure';
import {
  evaluate,
  lastOutput,
  type Plan,
  type PlanStep,
  pureConfigMessage,
  type RunResult,
  readiness,
  referencedSecrets,
  resolveTemplates,
  runWorkflowId,
  type Scope,
  type StepFailure,
  type StepState,
  secretRef,
  toResponse,
} from '@pincer/workflow/runtime';
import { uuidv7 } from './ids.ts';
import { jsonForRecord } from './nul.ts';
import type { StepRecordInput } from './recording.ts';
import { planOf, type StartRunRequest, storableInput } from './runs.ts';
import { findVersionRef } from './workflows.ts';

/** A run that ran in this process, already recorded. */
export interface InlineRun {
  runId: string;
  result: RunResult;
}

/** Whether every step of a plan is one the interpreter runs inline (a pure node, no activity). */
export function isPurePlan(plan: Plan): boolean {
  return plan.steps.every((step) => step.execution === 'local' && PURE_NODES.has(step.type));
}

/** A secret reference turned up in a config: the run needs an activity after all. */
class NeedsActivity extends Error {}

/** A step failure as the interpreter records it. */
interface Failure {
  message: string;
  type?: string;
}

type StepRecord = Omit<StepRecordInput, 'runId' | 'iteration'>;

/** Walks a pure plan: the interpreter's walk, step by step, for steps that are all inline. */
async function walk(plan: Plan, scope: Scope) {
  const states = new Map<string, StepState>(plan.steps.map((step) => [step.name, 'pending']));
  const records = new Map<string, StepRecord>();
  const secretNonce = randomUUID();
  let failure: StepFailure | undefined;
  let response: RunResult['response'];

  const finish = (step: PlanStep, state: StepState, output: unknown, error?: Failure) => {
    states.set(step.name, state);
    scope.steps[step.name] = { output, status: state, ...(error ? { error } : {}) };
  };

  async function execute(step: PlanStep): Promise<void> {
    const startedAt = Date.now();
    try {
      // JSONata's $boolean: the same truth rule as the condition node.
      if (step.when !== undefined && (await evaluate(`$boolean((${step.when}))`, scope)) !== true) {
        finish(step, 'skipped', null);
        records.set(step.name, {
          step: step.name,
          type: step.type,
          status: 'skipped',
          startedAt,
          finishedAt: Date.now(),
        });
        return;
      }
      let config: unknown;
      try {
        config = await resolveTemplates(step.config, scope, (name) => secretRef(secretNonce, name));
      } catch (error) {
        throw Object.assign(new Error(error instanceof Error ? error.message : String(error)), {
          type: 'NonRetryableStepError',
        });
      }
      const resolved =
        config !== null && typeof config === 'object' && !Array.isArray(config)
          ? Object.fromEntries(Object.entries(config))
          : {};
      if (referencedSecrets(resolved, secretNonce).size > 0) throw new NeedsActivity();
      const node = PURE_NODES.get(step.type);
      if (!node) throw new NeedsActivity();
      const base = { step: step.name, type: node.type, attempt: 1, input: resolved, startedAt };
      const outcome = node.run(resolved);
      if (!outcome.ok) {
        const message = pureConfigMessage(step.name, node.type, outcome.issues);
        records.set(step.name, { ...base, status: 'failed', finishedAt: startedAt });
        throw Object.assign(new Error(message), { type: 'StepConfigInvalid' });
      }
      const output = outcome.output ?? null;
      records.set(step.name, { ...base, status: 'succeeded', output, finishedAt: startedAt });
      finish(step, 'succeeded', output);
      if (step.type === 'respond' && output !== null && typeof output === 'object')
        response = toResponse(output);
    } catch (error) {
      if (error instanceof NeedsActivity) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const type = (error as { type?: unknown }).type;
      const info: Failure = { message, ...(typeof type === 'string' ? { type } : {}) };
      finish(step, 'failed', null, info);
      const earlier = records.get(step.name);
      records.set(step.name, {
        ...(earlier ?? { step: step.name, type: step.type }),
        status: 'failed',
        error: info,
        finishedAt: Date.now(),
      });
      if (step.onError === 'fail' && !failure) failure = { step: step.name, ...info };
    }
  }

  // As the interpreter does: every step that is ready starts, then they all finish, and again.
  for (;;) {
    const wave: Promise<void>[] = [];
    for (const step of plan.steps) {
      if (states.get(step.name) !== 'pending') continue;
      const verdict = failure ? 'skip' : readiness(step, plan.steps, states, scope);
      if (verdict === 'wait') continue;
      if (verdict === 'skip') {
        finish(step, 'skipped', null);
        records.set(step.name, {
          step: step.name,
          type: step.type,
          status: 'skipped',
          finishedAt: Date.now(),
        });
        continue;
      }
      states.set(step.name, 'running');
      wave.push(execute(step));
    }
    if (wave.length === 0) break;
    await Promise.all(wave);
  }

  const output = lastOutput(plan.steps, states, scope);
  const result: RunResult = failure
    ? { status: 'failed', output, error: failure, ...(response ? { response } : {}) }
    : { status: 'succeeded', output, ...(response ? { response } : {}) };
  return { result, steps: [...records.values()] };
}

/**
 * The Run row (finished), its `run.started` audit event and all its StepRuns in one statement:
 * the run is recorded whole or not at all.
 */
const INLINE_RUN_SQL = `
WITH run AS (
  INSERT INTO runs (id, workflow_id, workflow_version_id, temporal_workflow_id, trigger_kind, trigger_id,
                    triggered_by_id, parent_run_id, actor, input, status, output, error, started_at,
                    finished_at, updated_at)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::trigger_kind, $6::uuid, $7::uuid, $8::uuid, $9,
          $10::jsonb, $11::run_status, $12::jsonb, $13::jsonb, to_timestamp($14::float8 / 1000),
          to_timestamp($15::float8 / 1000), now())
  RETURNING id
),
audit AS (
  INSERT INTO audit_events (id, actor, action, target_type, target_id, data)
  SELECT $16::uuid, $9, 'run.started', 'run', run.id::text, $17::jsonb FROM run
),
steps AS (
  INSERT INTO step_runs (id, run_id, step_name, iteration_key, node_type, status, attempt, input,
                         output, error, started_at, finished_at, updated_at)
  SELECT (r->>'id')::uuid, run.id, r->>'step', '', r->>'type', (r->>'status')::step_status,
         COALESCE((r->>'attempt')::int, 1), r->'input', r->'output', r->'error',
         to_timestamp((r->>'startedAt')::float8 / 1000), to_timestamp((r->>'finishedAt')::float8 / 1000),
         now()
  FROM run, jsonb_array_elements($18::jsonb) AS r
)
SELECT id::text FROM run`;

/**
 * Runs a start whose workflow version is all pure steps here and records it; undefined when the
 * run needs the interpreter on Temporal (an activity or control step, a secret, an input schema
 * to check, a re-run), so the caller starts it there.
 */
export async function runInline(db: PrismaClient, request: StartRunRequest): Promise<InlineRun | undefined> {
  if (request.kept || request.temporalWorkflowId) return undefined;
  const version = request.versionRef ?? (await findVersionRef(db, request.workflow, request.version));
  const plan = await planOf(db, version);
  const trigger = request.triggerKind ?? 'manual';
  if (!isPurePlan(plan) || (plan.inputSchema && trigger !== 'webhook' && trigger !== 'schedule'))
    return undefined;
  const runId = uuidv7();
  const input = request.input ?? {};
  const storedInput = storableInput(input);
  const scope: Scope = {
    trigger: input,
    steps: {},
    vars: plan.vars,
    run: { id: runId, workflow: version.workflow, version: version.version },
  };
  const startedAt = Date.now();
  let walked: Awaited<ReturnType<typeof walk>>;
  try {
    walked = await walk(plan, scope);
  } catch (error) {
    if (error instanceof NeedsActivity) return undefined;
    throw error;
  }
  const { result, steps } = walked;
  const [row] = await db.$queryRawUnsafe<{ id: string }[]>(
    INLINE_RUN_SQL,
    runId,
    version.workflowId,
    version.versionId,
    runWorkflowId(runId),
    trigger,
    request.triggerId ?? null,
    request.userId ?? null,
    request.parentRunId ?? null,
    request.actor,
    storedInput,
    result.status,
    jsonForRecord(result.output ?? null),
    result.error ? jsonForRecord(result.error) : null,
    startedAt,
    Date.now(),
    uuidv7(),
    JSON.stringify({ workflow: version.workflow, version: version.version, trigger, inline: true }),
    jsonForRecord(steps.map((step) => ({ id: uuidv7(), ...step }))),
  );
  if (!row) throw new Error(`Run ${runId} was not recorded: the database refused it silently.`);
  return { runId, result };
}
