/**
 * The compiled form of a workflow version: what the interpreter workflow runs. Plain JSON, stored
 * on the immutable WorkflowVersion and passed to Temporal as the workflow's input.
 */

export type Execution = 'activity' | 'local' | 'control';

export interface PlanRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

export interface PlanNeed {
  step: string;
  /** `main` (succeeded), `error` (failed) or a branch of a condition/switch. */
  port: string;
}

/** How one unit of work runs: a step, or the per-item step of a for-each. */
export interface PlanTask {
  type: string;
  execution: Execution;
  taskQueue: string;
  retry: PlanRetry;
  timeoutMs: number;
  /** The config as written: may contain `{{ }}` templates, resolved at run time. */
  config: Record<string, unknown>;
  /** For `for_each`: the step run once per item. */
  each?: PlanTask;
}

export interface PlanStep extends PlanTask {
  name: string;
  needs: PlanNeed[];
  join: 'all' | 'any';
  when?: string;
  /** `route`: another step waits on this step's `error` port. */
  onError: 'fail' | 'continue' | 'route';
}

export interface Plan {
  schema: 1;
  workflow: string;
  vars: Record<string, unknown>;
  /** JSON Schema the input of a manual, API, CLI, chat or sub-workflow start must match. */
  inputSchema?: Record<string, unknown>;
  /** In a topological order: every step comes after the steps it needs. */
  steps: PlanStep[];
}

/** The node types a plan runs: its steps' and the per-item steps of its for-eaches. */
export function planNodeTypes(plan: Plan): string[] {
  return [...new Set(plan.steps.flatMap((step) => [step.type, ...(step.each ? [step.each.type] : [])]))];
}
