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
  config: z.strictObject({
    /** The task queue your worker polls. */
    task_queue: z.string().min(1),
    /** The activity type name your worker registers. */
    activity: z.string().min(1),
    /** The activity's single argument. */
    input: z.unknown().optional(),
    /** Set it for long activities that heartbeat, so a dead worker is noticed early. */
    heartbeat_timeout: duration.optional(),
  }),
  outputs: ['main'],
  // The step's own `timeout` bounds one attempt (start-to-close).
  defaults: { timeoutMs: 5 * 60_000 },
});

export type ExternalActivityConfig = z.output<typeof externalActivity.config>;
