import type { StepDefinition } from './definition.ts';
import type { PlanNeed } from './plan.ts';

// No zod here: workflow code imports formatNeed (through runtime.ts).

/** `step` or `step.port` (`check.true`, `fetch.error`). */
export const needPattern = /^([a-z][a-z0-9_]*)(?:\.([a-z][a-z0-9_]*))?$/;

export function parseNeed(text: string): PlanNeed {
  const match = text.match(needPattern);
  return { step: match?.[1] ?? text, port: match?.[2] ?? 'main' };
}

export function formatNeed(need: PlanNeed): string {
  return need.port === 'main' ? need.step : `${need.step}.${need.port}`;
}

/** Steps named by some step's `on_error`: they run on that step's failure. */
export function errorHandlers(steps: readonly StepDefinition[]): Map<string, string[]> {
  const handlers = new Map<string, string[]>();
  for (const step of steps) {
    const target = step.on_error;
    if (typeof target === 'string' && target !== 'fail' && target !== 'continue') {
      handlers.set(target, [...(handlers.get(target) ?? []), step.name]);
    }
  }
  return handlers;
}

/**
 * The needs a step has when it names none: an error handler waits only on the failures it
 * handles; any other step follows the nearest step before it that is not an error handler.
 */
export function implicitNeeds(
  steps: readonly StepDefinition[],
  index: number,
  handlers: Map<string, string[]>,
): PlanNeed[] {
  const step = steps[index];
  if (!step) return [];
  if (handlers.has(step.name)) return [];
  for (let before = index - 1; before >= 0; before--) {
    const previous = steps[before];
    if (previous && !handlers.has(previous.name)) return [{ step: previous.name, port: 'main' }];
  }
  return [];
}

/** Every need of every step: written, implicit, and the `error` edges that `on_error` implies. */
export function effectiveNeeds(steps: readonly StepDefinition[]): Map<string, PlanNeed[]> {
  const handlers = errorHandlers(steps);
  const result = new Map<string, PlanNeed[]>();
  steps.forEach((step, index) => {
    const written = step.needs ? step.needs.map(parseNeed) : implicitNeeds(steps, index, handlers);
    const routed = (handlers.get(step.name) ?? []).map((source) => ({ step: source, port: 'error' }));
    const all = [...written];
    for (const need of routed) {
      if (!all.some((other) => other.step === need.step && other.port === need.port)) all.push(need);
    }
    result.set(step.name, all);
  });
  return result;
}
