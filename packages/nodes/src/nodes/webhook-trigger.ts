import { z } from 'zod';
import { defineNode } from '../define.ts';
import { duration } from '../duration.ts';

export const webhookTrigger = defineNode({
  type: 'webhook_trigger',
  title: 'Webhook trigger',
  description: 'Starts the workflow when its webhook URL is called; can answer with the run result.',
  category: 'trigger',
  capability: 'core',
  execution: 'control',
  config: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    /**
     * `immediately`: answer 202 with the run id. `when_done`: wait for the run and answer with a
     * respond step's output, or else the last step's output.
     */
    respond: z.enum(['immediately', 'when_done']).default('immediately'),
    /** How long a `when_done` webhook waits for the run to finish. */
    timeout: duration.prefault('30s'),
  }),
  outputs: ['main'],
});

export type WebhookTriggerConfig = z.output<typeof webhookTrigger.config>;
