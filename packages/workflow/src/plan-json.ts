import { z } from 'zod';
import type { Plan, PlanTask } from './plan.ts';

// Apart from plan.ts so that workflow code, which needs the plan's types only, loads no schema.

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
