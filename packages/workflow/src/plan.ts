import { z } from 'zod';

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

const RetrySchema = z.object({
  maximumAttempts: z.number(),
  initialIntervalMs: z.number(),
  backoffCoefficient: z.number(),
  maximumIntervalMs: z.number(),
});

const TaskSchema: z.ZodType<PlanTask> = z.lazy(() =>
  z.object({
    type: z.string(),
    execution: z.enum(['activity', 'local', 'control']),
    taskQueue: z.string(),
    retry: RetrySchema,
    timeoutMs: z.number(),
    config: z.record(z.string(), z.unknown()),
    each: TaskSchema.optional(),
  }),
);

const PlanSchema = z.object({
  schema: z.literal(1),
  workflow: z.string(),
  vars: z.record(z.string(), z.unknown()),
  inputSchema: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(
    z.intersection(
      TaskSchema,
      z.object({
        name: z.string(),
        needs: z.array(z.object({ step: z.string(), port: z.string() })),
        join: z.enum(['all', 'any']),
        when: z.string().optional(),
        onError: z.enum(['fail', 'continue', 'route']),
      }),
    ),
  ),
});

/** A plan read back from storage (a WorkflowVersion's JSON), checked against its shape. */
export function planFromJson(value: unknown): Plan {
  return PlanSchema.parse(value);
}
