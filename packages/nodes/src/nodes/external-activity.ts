import { z } from 'zod';
import { defineNode } from '../define.ts';
import { duration } from '../duration.ts';

export const externalActivity = defineNode({
  type: 'external_activity',
  title: 'External activity',
  description:
    'Calls an activity served by your own Temporal worker (Python, Go, any Temporal SDK) on a task queue.',
  category: 'code',
  capability: 'core',
  execution: 'control',
  sideEffects: 'external',
  config: z.strictObject({
    task_queue: z.string().min(1).describe('The Temporal task queue your worker polls, e.g. "python-tools".'),
    activity: z.string().min(1).describe('The activity type name your worker registers, e.g. "score_lead".'),
    input: z
      .unknown()
      .optional()
      .describe("The activity's single argument; any value, may hold {{ expressions }}. null when left out."),
    heartbeat_timeout: duration
      .optional()
      .describe(
        'For long activities that heartbeat: the longest silence before the attempt counts as failed, e.g. "30s", so a dead worker is noticed before the step\'s timeout.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: score
  steps:
    - name: score_lead
      type: external_activity
      task_queue: python-tools
      activity: score_lead
      input: { email: "{{ trigger.email }}" }
      heartbeat_timeout: 30s
      timeout: 10m
      retry: { max_attempts: 3 }
`,
    notes:
      "The step's `timeout` bounds each attempt (start to close) and its `retry` applies. The activity's " +
      'return value is the output. Your worker, not Pincer, must poll `task_queue`.',
    minimal: { task_queue: 'python-tools', activity: 'score_lead' },
  },
  outputs: ['main'],
  // The step's own `timeout` bounds one attempt (start-to-close).
  defaults: { timeoutMs: 5 * 60_000 },
});

export type ExternalActivityConfig = z.output<typeof externalActivity.config>;
