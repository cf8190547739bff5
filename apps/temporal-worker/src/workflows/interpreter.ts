/**
 * The one Temporal workflow that runs every Pincer workflow: it walks a compiled plan, starting
 * each step when its needs are met (independent steps run in parallel), and calls activities for
 * the work. Deterministic: no I/O, no clock but Temporal's, no randomness.
 */

import {
  type ApprovalDecision,
  approveSignal,
  evaluate,
  type PlanNeed,
  type PlanRetry,
  type PlanStep,
  type PlanTask,
  progressQuery,
  type RunInput,
  type RunResponse,
  type RunResult,
  type RunStatus,
  resolveTemplates,
  runWorkflowId,
  type ScheduledStart,
  type Scope,
  type StepFailure,
  type StepState,
} from '@pincer/workflow/runtime';
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { InterpreterActivities, StepRecord } from '../activities/contract.ts';

const bookkeeping = proxyLocalActivities<InterpreterActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
});

function temporalRetry(retry: PlanRetry) {
  return {
    maximumAttempts: retry.maximumAttempts,
    initialInterval: retry.initialIntervalMs,
    backoffCoefficient: retry.backoffCoefficient,
    maximumInterval: retry.maximumIntervalMs,
    nonRetryableErrorTypes: ['StepConfigInvalid', 'NonRetryableStepError'],
  };
}

/** A failure of one step, with the message people see on the run. */
class StepError extends Error {
  constructor(
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

function messageOf(error: unknown): { message: string; type?: string } {
  if (error instanceof StepError)
    return { message: error.message, ...(error.type ? { type: error.type } : {}) };
  if (error instanceof ApplicationFailure)
    return { message: error.message, ...(error.type ? { type: error.type } : {}) };
  if (error instanceof Error) {
    // Activity failures wrap the real error as their cause.
    const cause = error.cause;
    if (cause instanceof ApplicationFailure)
      return { message: cause.message, ...(cause.type ? { type: cause.type } : {}) };
    if (cause instanceof Error) return { message: cause.message };
    return { message: error.message };
  }
  return { message: String(error) };
}

export async function interpretPlan(start: RunInput | ScheduledStart): Promise<RunResult> {
  // A schedule fires without a Run row: create it now, on the workflow's latest version.
  const input =
    'scheduled' in start
      ? await bookkeeping.createScheduledRun({
          ...start.scheduled,
          temporalWorkflowId: workflowInfo().workflowId,
          temporalRunId: workflowInfo().runId,
        })
      : start;
  const { plan, runId } = input;
  const states = new Map<string, StepState>(plan.steps.map((step) => [step.name, 'pending']));
  const errors = new Map<string, string>();
  const scope: Scope = {
    trigger: input.trigger,
    steps: {},
    vars: plan.vars,
    run: { id: runId, workflow: input.workflow.name, version: input.workflow.version },
  };
  const decisions = new Map<string, ApprovalDecision>();
  let runStatus: RunStatus = 'running';
  let response: RunResponse | undefined;
  let failure: StepFailure | undefined;

  setHandler(approveSignal, (decision) => {
    decisions.set(decision.step, decision);
  });
  setHandler(progressQuery, () => ({
    status: runStatus,
    steps: Object.fromEntries(
      [...states].map(([name, state]) => {
        const error = errors.get(name);
        return [name, error ? { state, error } : { state }];
      }),
    ),
  }));

  const record = (
    step: PlanStep | { name: string; type: string },
    fields: Omit<StepRecord, 'runId' | 'step' | 'iteration' | 'type'>,
    iteration = '',
  ) => bookkeeping.recordStep({ runId, step: step.name, iteration, type: step.type, ...fields });

  // --- running one unit of work -----------------------------------------------------------

  async function runTask(
    step: PlanStep,
    task: PlanTask,
    config: Record<string, unknown>,
    iteration: string,
  ): Promise<unknown> {
    switch (task.execution) {
      case 'activity': {
        const activities = proxyActivities<InterpreterActivities>({
          taskQueue: task.taskQueue,
          startToCloseTimeout: task.timeoutMs,
          heartbeatTimeout: Math.min(task.timeoutMs, 60_000),
          retry: temporalRetry(task.retry),
        });
        return activities.runStep({ runId, step: step.name, iteration, type: task.type, config });
      }
      case 'local': {
        const activities = proxyLocalActivities<InterpreterActivities>({
          startToCloseTimeout: task.timeoutMs,
          retry: temporalRetry(task.retry),
        });
        return activities.runStep({ runId, step: step.name, iteration, type: task.type, config });
      }
      case 'control':
        return runControl(step, task, config, iteration);
    }
  }

  async function runControl(
    step: PlanStep,
    task: PlanTask,
    written: Record<string, unknown>,
    iteration: string,
  ): Promise<unknown> {
    const started = Date.now();
    // The node's schema applies defaults and turns durations into ms; it runs in the worker.
    const config = await bookkeeping.parseStepConfig({ type: task.type, config: written });
    if (task.type !== 'approval')
      await record(
        { name: step.name, type: task.type },
        { status: 'running', startedAt: started },
        iteration,
      );
    const output = await (async () => {
      switch (task.type) {
        case 'delay':
          return runDelay(config);
        case 'approval':
          return runApproval(step, task, config, iteration);
        case 'for_each':
          return runForEach(step, task, config);
        case 'sub_workflow':
          return runSubWorkflow(step, config);
        case 'external_activity':
          return runExternal(task, config);
        default:
          throw new StepError(`no interpreter for control node "${task.type}"`, 'NonRetryableStepError');
      }
    })();
    await record(
      { name: step.name, type: task.type },
      { status: 'succeeded', output, startedAt: started, finishedAt: Date.now() },
      iteration,
    );
    return output;
  }

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
    step: PlanStep,
    task: PlanTask,
    config: Record<string, unknown>,
    iteration: string,
  ): Promise<unknown> {
    const key = iteration ? `${step.name}[${iteration}]` : step.name;
    states.set(step.name, 'waiting_approval');
    await record(
      step,
      {
        status: 'waiting_approval',
        input: { message: config.message, approvers: config.approvers ?? null },
        startedAt: Date.now(),
      },
      iteration,
    );
    await bookkeeping.recordRun({ runId, status: 'waiting', at: Date.now() });
    const timeoutMs = task.timeoutMs;
    const decided = await condition(() => decisions.has(key) || decisions.has(step.name), timeoutMs);
    states.set(step.name, 'running');
    await bookkeeping.recordRun({ runId, status: 'running', at: Date.now() });
    if (!decided) {
      if (config.on_timeout === 'approve') return { approved: true, by: 'timeout' };
      throw new StepError(`approval timed out after ${timeoutMs} ms`, 'ApprovalTimedOut');
    }
    const decision = decisions.get(key) ?? decisions.get(step.name);
    if (!decision?.approved) {
      throw new StepError(
        `rejected by ${decision?.by ?? 'unknown'}${decision?.comment ? `: ${decision.comment}` : ''}`,
        'ApprovalRejected',
      );
    }
    return { approved: true, by: decision.by, ...(decision.comment ? { comment: decision.comment } : {}) };
  }

  async function runForEach(
    step: PlanStep,
    task: PlanTask,
    config: Record<string, unknown>,
  ): Promise<unknown> {
    const items = config.items;
    if (!Array.isArray(items))
      throw new StepError(
        `items must be a list, got ${items === null ? 'null' : typeof items}`,
        'NonRetryableStepError',
      );
    const each = task.each;
    if (!each) throw new StepError('for_each has no step to run per item', 'NonRetryableStepError');
    const limit = typeof config.concurrency === 'number' && config.concurrency > 0 ? config.concurrency : 4;
    const results: unknown[] = new Array(items.length).fill(null);
    let next = 0;
    let firstError: unknown;
    const lane = async () => {
      while (next < items.length && firstError === undefined) {
        const index = next++;
        const itemScope: Scope = { ...scope, item: items[index], index };
        try {
          const itemConfig = await resolveConfig(each.config, itemScope);
          results[index] = await runTask(step, each, itemConfig, String(index));
        } catch (error) {
          if (isCancellation(error)) throw error;
          firstError ??= new StepError(`item ${index}: ${messageOf(error).message}`, messageOf(error).type);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
    if (firstError !== undefined) throw firstError;
    return results;
  }

  async function runSubWorkflow(step: PlanStep, config: Record<string, unknown>): Promise<unknown> {
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
      await startChild(interpretPlan, options);
      return { runId: child.runId };
    }
    const result = await executeChild(interpretPlan, options);
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

  async function resolveConfig(config: Record<string, unknown>, at: Scope): Promise<Record<string, unknown>> {
    try {
      const resolved = await resolveTemplates(config, at);
      return resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved)
        ? Object.fromEntries(Object.entries(resolved))
        : {};
    } catch (error) {
      throw new StepError(messageOf(error).message, 'NonRetryableStepError');
    }
  }

  // --- scheduling -------------------------------------------------------------------------

  function satisfied(need: PlanNeed): boolean | undefined {
    const state = states.get(need.step);
    if (state === 'pending' || state === 'running' || state === 'waiting_approval' || state === undefined)
      return undefined;
    const source = plan.steps.find((candidate) => candidate.name === need.step);
    const result = scope.steps[need.step];
    if (need.port === 'error') return state === 'failed';
    if (state === 'failed') return need.port === 'main' && source?.onError === 'continue';
    if (state !== 'succeeded') return false;
    if (need.port === 'main') return true;
    const output = result?.output;
    return output !== null && typeof output === 'object' && 'branch' in output && output.branch === need.port;
  }

  function readiness(step: PlanStep): 'wait' | 'run' | 'skip' {
    const verdicts = step.needs.map(satisfied);
    if (verdicts.some((verdict) => verdict === undefined)) return 'wait';
    if (step.needs.length === 0) return 'run';
    return (step.join === 'any' ? verdicts.some(Boolean) : verdicts.every(Boolean)) ? 'run' : 'skip';
  }

  async function execute(step: PlanStep): Promise<void> {
    const started = Date.now();
    try {
      // JSONata's $boolean: the same truth rule as the condition node.
      if (step.when !== undefined && (await evaluate(`$boolean((${step.when}))`, scope)) !== true) {
        states.set(step.name, 'skipped');
        scope.steps[step.name] = { output: null, status: 'skipped' };
        await record(step, { status: 'skipped', startedAt: started, finishedAt: Date.now() });
        return;
      }
      const config = await resolveConfig(step.config, scope);
      const output = await runTask(step, step, config, '');
      states.set(step.name, 'succeeded');
      scope.steps[step.name] = { output, status: 'succeeded' };
      if (step.type === 'respond' && output !== null && typeof output === 'object')
        response = toResponse(output);
    } catch (error) {
      if (isCancellation(error)) throw error;
      const { message, type } = messageOf(error);
      states.set(step.name, 'failed');
      errors.set(step.name, message);
      scope.steps[step.name] = {
        output: null,
        status: 'failed',
        error: { message, ...(type ? { type } : {}) },
      };
      // Activities record their own attempts; a timeout or a failure before the activity ran is recorded here.
      await record(step, {
        status: 'failed',
        error: { message, ...(type ? { type } : {}) },
        finishedAt: Date.now(),
      });
      if (step.onError === 'fail' && !failure)
        failure = { step: step.name, message, ...(type ? { type } : {}) };
    }
  }

  async function skip(step: PlanStep): Promise<void> {
    states.set(step.name, 'skipped');
    scope.steps[step.name] = { output: null, status: 'skipped' };
    await record(step, { status: 'skipped', finishedAt: Date.now() });
  }

  await bookkeeping.recordRun({ runId, status: 'running', at: Date.now() });
  const running = new Map<string, Promise<void>>();
  try {
    for (;;) {
      let changed = true;
      while (changed) {
        changed = false;
        for (const step of plan.steps) {
          if (states.get(step.name) !== 'pending') continue;
          const verdict = failure ? 'skip' : readiness(step);
          if (verdict === 'wait') continue;
          changed = true;
          if (verdict === 'skip') {
            await skip(step);
            continue;
          }
          states.set(step.name, 'running');
          running.set(
            step.name,
            execute(step).finally(() => running.delete(step.name)),
          );
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } catch (error) {
    if (isCancellation(error)) {
      runStatus = 'cancelled';
      await CancellationScope.nonCancellable(async () => {
        for (const step of plan.steps) {
          const state = states.get(step.name);
          if (state === 'running' || state === 'waiting_approval' || state === 'pending') {
            states.set(step.name, 'cancelled');
            await record(step, { status: 'cancelled', finishedAt: Date.now() });
          }
        }
        await bookkeeping.recordRun({ runId, status: 'cancelled', at: Date.now() });
      });
    }
    throw error;
  }

  const output = lastOutput(plan.steps, states, scope);
  if (failure) {
    runStatus = 'failed';
    await bookkeeping.recordRun({ runId, status: 'failed', error: failure, output, at: Date.now() });
    return { status: 'failed', output, error: failure, ...(response ? { response } : {}) };
  }
  runStatus = 'succeeded';
  await bookkeeping.recordRun({ runId, status: 'succeeded', output, at: Date.now() });
  return { status: 'succeeded', output, ...(response ? { response } : {}) };
}

function lastOutput(steps: PlanStep[], states: Map<string, StepState>, scope: Scope): unknown {
  for (let index = steps.length - 1; index >= 0; index--) {
    const step = steps[index];
    if (step && states.get(step.name) === 'succeeded') return scope.steps[step.name]?.output ?? null;
  }
  return null;
}

function toResponse(output: object): RunResponse {
  const status = 'status' in output && typeof output.status === 'number' ? output.status : 200;
  const headers: Record<string, string> = {};
  if ('headers' in output && output.headers !== null && typeof output.headers === 'object') {
    for (const [key, value] of Object.entries(output.headers)) headers[key] = String(value);
  }
  return { status, headers, ...('body' in output ? { body: output.body } : {}) };
}

function numberOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new StepError(`expected a duration in ms, got ${JSON.stringify(value)}`, 'NonRetryableStepError');
}
