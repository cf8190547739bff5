/** The parts of /api/v1 answers the CLI reads, checked at the edge like any other input. */
import { z } from 'zod';

export const SavedWorkflow = z.object({
  name: z.string(),
  version: z.number(),
  created: z.boolean(),
  triggers: z.object({
    webhooks: z.array(
      z.object({ key: z.string(), url: z.string(), method: z.string(), secret: z.string().optional() }),
    ),
    schedules: z.array(z.object({ cron: z.string(), timezone: z.string(), paused: z.boolean() })),
  }),
});

export const WorkflowList = z.object({
  workflows: z.array(
    z.object({
      name: z.string(),
      description: z.string().nullable(),
      latestVersion: z.number().nullable(),
      lastRun: z.object({ status: z.string(), createdAt: z.string() }).nullable(),
    }),
  ),
});

export const RunAccepted = z.object({ id: z.string(), status: z.string() });

export const Run = z.object({
  id: z.string(),
  status: z.string(),
  output: z.unknown(),
  error: z.unknown(),
  steps: z.array(
    z.object({
      name: z.string(),
      iteration: z.string(),
      status: z.string(),
      output: z.unknown(),
      error: z.unknown(),
      attempts: z.number(),
    }),
  ),
});
export type Run = z.infer<typeof Run>;

export const RunList = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      workflow: z.string(),
      version: z.number(),
      status: z.string(),
      trigger: z.string(),
      createdAt: z.string(),
    }),
  ),
});

export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ message: z.string() })).optional(),
    runId: z.string().optional(),
  }),
});
