/**
 * The one Temporal workflow that runs every Pincer workflow: it walks a compiled plan, starting
 * each step when its needs are met (independent steps run in parallel), and calls activities for
 * the work. Deterministic: no I/O, no clock but Temporal's, no randomness.
 */

import {
  type ApprovalDecision,
  answerUpdate,
  approveSignal,
  evaluate,
  lastOutput,
  type PlanStep,
  progressQuery,
  type RunInput,
  type RunResponse,
  type RunResult,
  type RunStatus,
  readiness,
  type ScheduledStart,
  type Scope,
  type StepFailure,
  type StepState,
  toResponse,
} from '@pincer/workflow/runtime';
import {
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  approversInWorkflow,
  bookkeeping,
  createTaskRunner,
  inlinePureSteps,
  limitedExpressions,
  messageOf,
  notifyWatcher,
  resolveConfig,
  watcherHearsFailuresOnly,
} from './tasks.ts';

export async function interpretPlan(start: RunInput | ScheduledStart): Promise<RunResult> {
  // First of all, so that a run replays on the code it started with (see inlinePureSteps).
  const inline = inlinePureSteps();
  const failuresOnly = watcherHearsFailuresOnly();
  const checkApprovers = approversInWorkflow();
  const limited = limitedExpressions();
  let response: RunResponse | undefined;
  let ended: RunResult | 'cancelled' | undefined;
  // A webhook that waits is answered as soon as a respond step has run; the run goes on.
  setHandler(answerUpdate, async () => {
    await condition(() => response !== undefined || ended !== undefined);
    if (response) return { response };
    if (ended === undefined || ended === 'cancelled')
      throw ApplicationFailure.create({
        message: 'the run was cancelled',
        type: 'RunCancelled',
        nonRetryable: true,
      });
    return { result: ended };
  });
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
  // Per run, replay-safe: only references carrying it become secrets (see secret-refs.ts).
  const secretNonce = uuid4();
  const decisions = new Map<string, ApprovalDecision>();
  let runStatus: RunStatus = 'running';
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

  const workflowName = input.workflow.name;
  const total = plan.steps.length;
  const { runTask, record, note, recordRun, keep } = createTaskRunner({
    runId,
    workflow: workflowName,
    scope,
    secretNonce,
    decisions,
    checkApprovers,
    limitedExpressions: limited,
    inline,
    onState: (step, state) => states.set(step, state),
  });

  async function execute(step: PlanStep): Promise<void> {
    const started = Date.now();
    const kept = input.kept;
    if (kept && Object.hasOwn(kept.outputs, step.name)) {
      // A re-run from a later step: this one's result is the earlier run's, not run again.
      const output = kept.outputs[step.name] ?? null;
      states.set(step.name, 'succeeded');
      scope.steps[step.name] = { output, status: 'succeeded' };
      await note(step, {
        status: 'succeeded',
        input: { kept_from_run: kept.fromRunId },
        output,
        startedAt: started,
        finishedAt: started,
      });
      return;
    }
    try {
      // JSONata's $boolean: the same truth rule as the condition node.
      const when =
        step.when === undefined
          ? true
          : await evaluate(`$boolean((${step.when}))`, scope, { unlimited: !limited });
      if (when !== true) {
        states.set(step.name, 'skipped');
        scope.steps[step.name] = { output: null, status: 'skipped' };
        await note(step, { status: 'skipped', startedAt: started, finishedAt: Date.now() });
        return;
      }
      const config = await resolveConfig(step.config, scope, secretNonce, limited);
      const output = await runTask(step, step, config, '');
      states.set(step.name, 'succeeded');
      scope.steps[step.name] = { output, status: 'succeeded' };
      if (step.type === 'respond' && output !== null && typeof output === 'object')
        response = toResponse(output);
      if (!failuresOnly)
        await notifyWatcher({
          kind: 'step_finished',
          runId,
          workflow: workflowName,
          step: step.name,
          state: 'succeeded',
          total,
        });
    } catch (error) {
      if (isCancellation(error)) throw error;
      const info = messageOf(error);
      const { message, type } = info;
      states.set(step.name, 'failed');
      errors.set(step.name, message);
      scope.steps[step.name] = { output: null, status: 'failed', error: info };
      // Activities record their own attempts; a timeout or a failure before the activity ran is recorded here.
      await record(step, { status: 'failed', error: info, finishedAt: Date.now() });
      if (step.onError === 'fail' && !failure)
        failure = { step: step.name, message, ...(type ? { type } : {}) };
      await notifyWatcher({
        kind: 'step_finished',
        runId,
        workflow: workflowName,
        step: step.name,
        state: 'failed',
        total,
      });
    }
  }

  async function skip(step: PlanStep): Promise<void> {
    states.set(step.name, 'skipped');
    scope.steps[step.name] = { output: null, status: 'skipped' };
    await note(step, { status: 'skipped', finishedAt: Date.now() });
  }

  const started = { runId, status: 'running' as const, at: Date.now(), temporalRunId: workflowInfo().runId };
  if (inline) keep({ run: started });
  else await bookkeeping.recordRun(started);
  const running = new Map<string, Promise<void>>();
  try {
    for (;;) {
      let changed = true;
      while (changed) {
        changed = false;
        for (const step of plan.steps) {
          if (states.get(step.name) !== 'pending') continue;
          const verdict = failure ? 'skip' : readiness(step, plan.steps, states, scope);
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
        await recordRun({ runId, status: 'cancelled', at: Date.now() });
        await notifyWatcher({ kind: 'finished', runId, workflow: workflowName, status: 'cancelled' });
        ended = 'cancelled';
        await condition(allHandlersFinished);
      });
    }
    throw error;
  }

  const output = lastOutput(plan.steps, states, scope);
  if (failure) {
    runStatus = 'failed';
    await recordRun({ runId, status: 'failed', error: failure, output, at: Date.now() });
    await notifyWatcher({
      kind: 'finished',
      runId,
      workflow: workflowName,
      status: 'failed',
      output,
      error: failure,
    });
    return end({ status: 'failed', output, error: failure, ...(response ? { response } : {}) });
  }
  runStatus = 'succeeded';
  await recordRun({ runId, status: 'succeeded', output, at: Date.now() });
  await notifyWatcher({ kind: 'finished', runId, workflow: workflowName, status: 'succeeded', output });
  return end({ status: 'succeeded', output, ...(response ? { response } : {}) });

  /** The run's result, once whoever waits for its answer has it. */
  async function end(result: RunResult): Promise<RunResult> {
    ended = result;
    await condition(allHandlersFinished);
    return result;
  }
}
