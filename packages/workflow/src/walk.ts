/**
 * The rules of a walk through a plan, shared by the interpreter workflow and the web server's
 * inline runs (see @pincer/engine inline-runs.ts): when a step runs, is skipped or waits, what a
 * run's output is and what a respond step answers. Deterministic and I/O-free.
 */
import type { RunResponse, StepState } from './contract.ts';
import type { Scope } from './expressions.ts';
import type { PlanNeed, PlanStep } from './plan.ts';

/** Whether a need is met (true), cannot be met (false) or is not decided yet (undefined). */
function satisfied(
  need: PlanNeed,
  steps: readonly PlanStep[],
  states: ReadonlyMap<string, StepState>,
  scope: Scope,
): boolean | undefined {
  const state = states.get(need.step);
  if (state === 'pending' || state === 'running' || state === 'waiting_approval' || state === undefined)
    return undefined;
  const source = steps.find((candidate) => candidate.name === need.step);
  const result = scope.steps[need.step];
  if (need.port === 'error') return state === 'failed';
  if (state === 'failed') return need.port === 'main' && source?.onError === 'continue';
  if (state !== 'succeeded') return false;
  if (need.port === 'main') return true;
  const output = result?.output;
  return output !== null && typeof output === 'object' && 'branch' in output && output.branch === need.port;
}

/** Whether a pending step runs now, is skipped (its needs cannot be met) or waits. */
export function readiness(
  step: PlanStep,
  steps: readonly PlanStep[],
  states: ReadonlyMap<string, StepState>,
  scope: Scope,
): 'wait' | 'run' | 'skip' {
  const verdicts = step.needs.map((need) => satisfied(need, steps, states, scope));
  if (verdicts.some((verdict) => verdict === undefined)) return 'wait';
  if (step.needs.length === 0) return 'run';
  return (step.join === 'any' ? verdicts.some(Boolean) : verdicts.every(Boolean)) ? 'run' : 'skip';
}

/** A run's output: that of the last step (in plan order) that succeeded. */
export function lastOutput(
  steps: readonly PlanStep[],
  states: ReadonlyMap<string, StepState>,
  scope: Scope,
): unknown {
  for (let index = steps.length - 1; index >= 0; index--) {
    const step = steps[index];
    if (step && states.get(step.name) === 'succeeded') return scope.steps[step.name]?.output ?? null;
  }
  return null;
}

/** What a respond step's output answers a waiting webhook with. */
export function toResponse(output: object): RunResponse {
  const status = 'status' in output && typeof output.status === 'number' ? output.status : 200;
  const headers: Record<string, string> = {};
  if ('headers' in output && output.headers !== null && typeof output.headers === 'object') {
    for (const [key, value] of Object.entries(output.headers)) headers[key] = String(value);
  }
  return { status, headers, ...('body' in output ? { body: output.body } : {}) };
}

/** The message of a pure step whose resolved config its node refuses. */
export function pureConfigMessage(
  step: string,
  type: string,
  issues: readonly { path: readonly (string | number)[]; message: string }[],
): string {
  const details = issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
  return `Step "${step}" (${type}): ${details}`;
}
