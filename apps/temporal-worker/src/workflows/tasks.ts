/**
 * Running one unit of work of a plan: an activity, a local activity, or a control node the
 * workflow interprets itself. Shared by the interpreter and the long for-each loop workflow.
 * Deterministic workflow code.
 */
import type { ControlNodeType } from '@pincer/nodes';
import { PURE_NODES, type PureNode } from '@pincer/nodes/pure';
import {
  type ApprovalDecision,
  mayDecide,
  type PlanRetry,
  type PlanTask,
  pureConfigMessage,
  type RunEvent,
  type RunInput,
  type RunResult,
  referencedSecrets,
  resolveTemplates,
  runEventSignal,
  runWorkflowId,
  type Scope,
  type StepState,
  secretRef,
  showSecretRefs,
  WATCHER_MEMO,
} from '@pincer/workflow/runtime';
import {
  ApplicationFailure,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { InterpreterActivities, RecordBatch, RunRecord, StepRecord } from '../activities/contract.ts';

export const bookkeeping = proxyLocalActivities<InterpreterActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
});

/**
 * Tells the workflow watching this run (a chat conversation) what happened. Best effort: a watcher
 * that is gone must not fail the run.
 */
export async function notifyWatcher(event: RunEvent): Promise<void> {
  const watcher = workflowInfo().memo?.[WATCHER_MEMO];
  if (typeof watcher !== 'string') return;
  try {
    await getExternalWorkflowHandle(watcher).signal(runEventSignal, event);
  } catch (error) {
    if (isCancellation(error)) throw error;
  }
}

/**
 * Runs started before pure steps (transform, condition, switch, respond) ran inline made a local
 * activity of each: they keep doing so when they replay (see docs/development.md).
 */
export function inlinePureSteps(): boolean {
  return patched('inline-pure-steps');
}

/**
 * Runs started before this told their watcher (a chat conversation) about every finished step, an
 * awaited signal each, though the conversation only acts on failed ones; newer runs signal only
 * failures (one workflow task less per step on the way to the answer). Called once, at the start.
 */
export function watcherHearsFailuresOnly(): boolean {
  return patched('watcher-failures-only');
}

/**
 * Runs started before this took any decision the approve signal brought; newer runs take one for
 * a step that names approvers only from one of them, whichever way it came (REST, studio, chat, a
 * signal sent directly). Called once, at the start.
 */
export function approversInWorkflow(): boolean {
  return patched('approvers-in-workflow');
}

/**
 * Runs started before this evaluated expressions without limits and with JavaScript's regular
 * expressions; newer runs evaluate them with a step budget, size caps and RE2 (see
 * @pincer/workflow expressions.ts). Called once, at the start.
 */
export function limitedExpressions(): boolean {
  return patched('expression-limits');
}

/** Above this many items a for-each runs in its own workflow, which continues as new as it goes. */
export const INLINE_FOR_EACH_ITEMS = 100;
/** Items one execution of that workflow handles before it continues as new (bounded history). */
export const ITEMS_PER_EXECUTION = 100;

export function temporalRetry(retry: PlanRetry) {
  return {
    maximumAttempts: retry.maximumAttempts,
    initialInterval: retry.initialIntervalMs,
    backoffCoefficient: retry.backoffCoefficient,
    maximumInterval: retry.maximumIntervalMs,
    nonRetryableErrorTypes: ['StepConfigInvalid', 'NonRetryableStepError'],
  };
}

/** A failure of one step, with the message people see on the run. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

export interface StepErrorInfo {
  message: string;
  type?: string;
  /** What the node reported besides the message (e.g. `status` of an HTTP error). */
  details?: Record<string, unknown>;
}

function fromFailure(failure: ApplicationFailure): StepErrorInfo {
  const [details] = failure.details ?? [];
  return {
    message: failure.message,
    ...(failure.type ? { type: failure.type } : {}),
    ...(details !== null && typeof details === 'object' && !Array.isArray(details)
      ? { details: Object.fromEntries(Object.entries(details)) }
      : {}),
  };
}

export function messageOf(error: unknown): StepErrorInfo {
  if (error instanceof StepError)
    return { message: error.message, ...(error.type ? { type: error.type } : {}) };
  if (error instanceof ApplicationFailure) return fromFailure(error);
  if (error instanceof Error) {
    // Activity failures wrap the real error as their cause.
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) return fromFailure(cause);
    if (cause instanceof Error) return { message: cause.message };
    return { message: error.message };
  }
  return { message: String(error) };
}

/** The approvers an approval step names, if any. */
function approversIn(config: Record<string, unknown>): string[] | undefined {
  const { approvers } = config;
  if (!Array.isArray(approvers)) return undefined;
  const emails = approvers.filter((email): email is string => typeof email === 'string');
  return emails.length > 0 ? emails : undefined;
}

export function numberOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new StepError(`expected a duration in ms, got ${JSON.stringify(value)}`, 'NonRetryableStepError');
}

/** Resolves a step's templates; `{{ secrets.NAME }}` becomes a reference carrying the run's nonce. */
export async function resolveConfig(
  config: Record<string, unknown>,
  at: Scope,
  secretNonce: string,
  limited: boolean,
): Promise<Record<string, unknown>> {
  try {
    const resolved = await resolveTemplates(config, at, (name) => secretRef(secretNonce, name), {
      unlimited: !limited,
    });
    return resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved)
      ? Object.fromEntries(Object.entries(resolved))
      : {};
  } catch (error) {
    throw new StepError(messageOf(error).message, 'NonRetryableStepError');
  }
}

/**
 * Runs `work` on items[offset..] with at most `limit` at a time, in order of start; stops handing
 * out items once one fails or `stop()` says so, and waits for those under way.
 * Returns the index of the first item not started.
 */
export async function runLanes(
  count: number,
  offset: number,
  limit: number,
  stop: () => boolean,
  work: (index: number) => Promise<void>,
): Promise<number> {
  let next = offset;
  let failure: unknown;
  const lane = async () => {
    while (next < count && failure === undefined && !stop()) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count - offset)) }, lane));
  if (failure !== undefined) throw failure;
  return next;
}

export interface TaskContext {
  runId: string;
  /** The workflow's name, for the events a watcher gets. */
  workflow: string;
  scope: Scope;
  /** The run's secret-reference nonce (see @pincer/workflow secret-refs). */
  secretNonce: string;
  decisions: Map<string, ApprovalDecision>;
  /** See approversInWorkflow. */
  checkApprovers: boolean;
  /** See limitedExpressions. */
  limitedExpressions: boolean;
  /**
   * Pure steps run inside the workflow and records are kept back to be written with the next
   * visit to the database (see inlinePureSteps); else every step and record is an activity.
   */
  inline: boolean;
  /** Tells the owner a step waits for a person (or no longer does). */
  onState(step: string, state: StepState): void;
}

/** The step a task belongs to: its name, for records and approvals. */
export interface TaskOwner {
  name: string;
  type: string;
}

/** Runs a control step, its config parsed by the node's schema. */
type ControlHandler = (
  step: TaskOwner,
  task: PlanTask,
  config: Record<string, unknown>,
  iteration: string,
) => Promise<unknown>;

export function createTaskRunner(context: TaskContext) {
  const { runId, secretNonce } = context;
  let waitingApprovals = 0;
  const kept: RecordBatch = { steps: [], runs: [] };

  /** The records kept back, handed to whoever writes next. */
  function takeKept(): RecordBatch | undefined {
    if (kept.steps.length === 0 && kept.runs.length === 0) return undefined;
    return { steps: kept.steps.splice(0), runs: kept.runs.splice(0) };
  }

  /** Writes the records kept back, if any. */
  async function flush(): Promise<void> {
    const batch = takeKept();
    if (batch) await bookkeeping.recordBatch(batch);
  }

  /** Keeps a record back until the next write (a step that ran inline, a run that started). */
  function keep(entry: { step: StepRecord } | { run: RunRecord }): void {
    if ('step' in entry) kept.steps.push(entry.step);
    else kept.runs.push(entry.run);
  }

  async function record(
    step: TaskOwner,
    fields: Omit<StepRecord, 'runId' | 'step' | 'iteration' | 'type'>,
    iteration = '',
  ): Promise<void> {
    const entry = { runId, step: step.name, iteration, type: step.type, ...fields };
    if (!context.inline) return bookkeeping.recordStep(entry);
    keep({ step: entry });
    await flush();
  }

  /** A record nobody waits to see (a skipped step): kept back when records are, else written. */
  async function note(
    step: TaskOwner,
    fields: Omit<StepRecord, 'runId' | 'step' | 'iteration' | 'type'>,
  ): Promise<void> {
    const entry = { runId, step: step.name, iteration: '', type: step.type, ...fields };
    if (context.inline) keep({ step: entry });
    else await bookkeeping.recordStep(entry);
  }

  async function recordRun(entry: RunRecord): Promise<void> {
    if (!context.inline) return bookkeeping.recordRun(entry);
    keep({ run: entry });
    await flush();
  }

  /**
   * A pure step, run here: its config checked as the node's schema checks it, its output
   * computed, its record kept back for the next write.
   */
  function runInline(
    step: TaskOwner,
    node: PureNode,
    config: Record<string, unknown>,
    iteration: string,
  ): unknown {
    const startedAt = Date.now();
    const base = { runId, step: step.name, iteration, type: node.type, attempt: 1, input: config, startedAt };
    const outcome = node.run(config);
    if (!outcome.ok) {
      const message = pureConfigMessage(step.name, node.type, outcome.issues);
      keep({
        step: {
          ...base,
          status: 'failed',
          error: { message, type: 'StepConfigInvalid' },
          finishedAt: startedAt,
        },
      });
      throw new StepError(message, 'StepConfigInvalid');
    }
    const output = outcome.output ?? null;
    keep({ step: { ...base, status: 'succeeded', output, finishedAt: startedAt } });
    return output;
  }

  async function runTask(
    step: TaskOwner,
    task: PlanTask,
    config: Record<string, unknown>,
    iteration: string,
  ): Promise<unknown> {
    /** What runStep gets, with the records kept back so far (it writes them). */
    const input = () => {
      const records = takeKept();
      return {
        runId,
        step: step.name,
        iteration,
        type: task.type,
        config,
        secretNonce,
        ...(records ? { records } : {}),
      };
    };
    switch (task.execution) {
      case 'activity': {
        const activities = proxyActivities<InterpreterActivities>({
          taskQueue: task.taskQueue,
          startToCloseTimeout: task.timeoutMs,
          heartbeatTimeout: Math.min(task.timeoutMs, 60_000),
          retry: temporalRetry(task.retry),
        });
        return activities.runStep(input());
      }
      case 'local': {
        const pure = context.inline ? PURE_NODES.get(task.type) : undefined;
        // A secret is filled in only inside an activity.
        if (pure && referencedSecrets(config, secretNonce).size === 0)
          return runInline(step, pure, config, iteration);
        const activities = proxyLocalActivities<InterpreterActivities>({
          startToCloseTimeout: task.timeoutMs,
          retry: temporalRetry(task.retry),
        });
        return activities.runStep(input());
      }
      case 'control':
        await flush();
        return runControl(step, task, config, iteration);
    }
  }

  async function runControl(
    step: TaskOwner,
    task: PlanTask,
    written: Record<string, unknown>,
    iteration: string,
  ): Promise<unknown> {
    const started = Date.now();
    // The node's schema applies defaults and turns durations into ms; it runs in the worker.
    // Control steps never read secrets: a reference is shown as the template it came from.
    const config = await bookkeeping.parseStepConfig({
      type: task.type,
      config: showSecretRefs(written) as Record<string, unknown>,
    });
    if (task.type !== 'approval')
      await record(
        { name: step.name, type: task.type },
        { status: 'running', startedAt: started },
        iteration,
      );
    const handler = Object.hasOwn(CONTROL, task.type) ? CONTROL[task.type as ControlNodeType] : undefined;
    if (!handler)
      throw new StepError(`no interpreter for control node "${task.type}"`, 'NonRetryableStepError');
    const output = await handler(step, task, config, iteration);
    await record(
      { name: step.name, type: task.type },
      { status: 'succeeded', output, startedAt: started, finishedAt: Date.now() },
      iteration,
    );
    return output;
  }

  /** The interpreter of each built-in control node: one missing for a new control node does not compile. */
  const CONTROL = {
    delay: (_step, _task, config) => runDelay(config),
    approval: runApproval,
    for_each: (step, task, config) => runForEach(step, task, config),
    sub_workflow: (step, _task, config) => runSubWorkflow(step, config),
    external_activity: (_step, task, config) => runExternal(task, config),
  } satisfies Record<ControlNodeType, ControlHandler>;

  async function runDelay(config: Record<string, unknown>): Promise<unknown> {
    const until = typeof config.until === 'string' ? Date.parse(config.until) : undefined;
    if (until !== undefined && Number.isNaN(until))
      throw new StepError(`until: "${String(config.until)}" is not a date`, 'NonRetryableStepError');
    const ms = until !== undefined ? Math.max(0, until - Date.now()) : numberOf(config.duration);
    await sleep(ms);
    return { waitedMs: ms };
  }

  /** The step's `timeout` is how long the approval waits for a decision. */
  async function runApproval(
    step: TaskOwner,
    task: PlanTask,
    config: Record<string, unknown>,
    iteration: string,
  ): Promise<unknown> {
    const key = iteration ? `${step.name}[${iteration}]` : step.name;
    const approvers = context.checkApprovers ? approversIn(config) : undefined;
    context.onState(step.name, 'waiting_approval');
    await record(
      step,
      {
        status: 'waiting_approval',
        input: { message: config.message, approvers: config.approvers ?? null },
        startedAt: Date.now(),
      },
      iteration,
    );
    await notifyWatcher({
      kind: 'approval_waiting',
      runId,
      workflow: context.workflow,
      step: key,
      ...(typeof config.message === 'string' ? { message: config.message } : {}),
      ...(approvers ? { approvers } : {}),
    });
    // The run waits while any approval does; with several at once, only the last answer resumes it.
    waitingApprovals += 1;
    if (waitingApprovals === 1) await recordRun({ runId, status: 'waiting', at: Date.now() });
    const timeoutMs = task.timeoutMs;
    const decided = approvers
      ? await decisionOfApprover(key, approvers, timeoutMs)
      : await condition(() => context.decisions.has(key), timeoutMs);
    waitingApprovals -= 1;
    context.onState(step.name, 'running');
    if (waitingApprovals === 0) await recordRun({ runId, status: 'running', at: Date.now() });
    if (!decided) {
      if (config.on_timeout === 'approve') return { approved: true, by: 'timeout' };
      throw new StepError(`approval timed out after ${timeoutMs} ms`, 'ApprovalTimedOut');
    }
    const decision = context.decisions.get(key);
    if (!decision?.approved) {
      throw new StepError(
        `rejected by ${decision?.by ?? 'unknown'}${decision?.comment ? `: ${decision.comment}` : ''}`,
        'ApprovalRejected',
      );
    }
    return { approved: true, by: decision.by, ...(decision.comment ? { comment: decision.comment } : {}) };
  }

  /**
   * Waits for a decision from one of `approvers`; anyone else's is dropped and the step waits on,
   * within the same timeout.
   */
  async function decisionOfApprover(key: string, approvers: string[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await condition(() => context.decisions.has(key), left))) return false;
      if (mayDecide(approvers, context.decisions.get(key)?.approver)) return true;
      context.decisions.delete(key);
    }
  }

  async function runForEach(
    step: TaskOwner,
    task: PlanTask,
    config: Record<string, unknown>,
  ): Promise<unknown> {
    const items = config.items;
    if (!Array.isArray(items)) {
      throw new StepError(
        `items must be a list, got ${items === null ? 'null' : typeof items}`,
        'NonRetryableStepError',
      );
    }
    const each = task.each;
    if (!each) throw new StepError('for_each has no step to run per item', 'NonRetryableStepError');
    const limit = typeof config.concurrency === 'number' && config.concurrency > 0 ? config.concurrency : 4;
    // Approvals need the run's signals, which only this workflow receives: they stay inline.
    if (items.length > INLINE_FOR_EACH_ITEMS && each.type !== 'approval') {
      return executeChild('forEachLoop', {
        workflowId: `${workflowInfo().workflowId}-${step.name}-items`,
        taskQueue: workflowInfo().taskQueue,
        args: [
          {
            runId,
            step,
            each,
            items,
            concurrency: limit,
            scope: context.scope,
            secretNonce,
            offset: 0,
            results: [],
          },
        ],
      });
    }
    const results: unknown[] = new Array(items.length).fill(null);
    await runLanes(
      items.length,
      0,
      limit,
      () => false,
      async (index) => {
        results[index] = await runItem(step, each, items, index, context.scope);
      },
    );
    return results;
  }

  /** One item of a for-each: its config resolved with `item` and `index` in scope. */
  async function runItem(
    step: TaskOwner,
    each: PlanTask,
    items: unknown[],
    index: number,
    scope: Scope,
  ): Promise<unknown> {
    try {
      const config = await resolveConfig(
        each.config,
        { ...scope, item: items[index], index },
        secretNonce,
        context.limitedExpressions,
      );
      return await runTask(step, each, config, String(index));
    } catch (error) {
      if (isCancellation(error)) throw error;
      const { message, type } = messageOf(error);
      throw new StepError(`item ${index}: ${message}`, type);
    }
  }

  async function runSubWorkflow(step: TaskOwner, config: Record<string, unknown>): Promise<unknown> {
    const child = await bookkeeping.prepareChildRun({
      parentRunId: runId,
      step: step.name,
      workflow: String(config.workflow),
      ...(typeof config.version === 'number' ? { version: config.version } : {}),
      input: config.input ?? null,
    });
    const options = {
      workflowId: runWorkflowId(child.runId),
      args: [child] as [RunInput],
      taskQueue: workflowInfo().taskQueue,
    };
    if (config.wait === false) {
      await startChild('interpretPlan', options);
      return { runId: child.runId };
    }
    const result: RunResult = await executeChild('interpretPlan', options);
    if (result.status !== 'succeeded') {
      throw new StepError(
        `sub-workflow ${String(config.workflow)} failed at ${result.error?.step}: ${result.error?.message}`,
        'SubWorkflowFailed',
      );
    }
    return { runId: child.runId, output: result.output };
  }

  async function runExternal(task: PlanTask, config: Record<string, unknown>): Promise<unknown> {
    const external = proxyActivities<Record<string, (input: unknown) => Promise<unknown>>>({
      taskQueue: String(config.task_queue),
      startToCloseTimeout: task.timeoutMs,
      ...(config.heartbeat_timeout !== undefined
        ? { heartbeatTimeout: numberOf(config.heartbeat_timeout) }
        : {}),
      retry: temporalRetry(task.retry),
    });
    const activity = external[String(config.activity)];
    if (!activity)
      throw new StepError(`no activity named ${String(config.activity)}`, 'NonRetryableStepError');
    return activity(config.input ?? null);
  }

  return { runTask, runItem, record, note, recordRun, keep, flush };
}
