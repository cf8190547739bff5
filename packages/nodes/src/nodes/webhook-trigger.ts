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
    method: z
      .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
      .default('POST')
      .describe('The HTTP method the webhook accepts; other methods get 405.'),
    respond: z
      .enum(['immediately', 'when_done'])
      .default('immediately')
      .describe(
        "immediately: answer 202 with the run id at once. when_done: wait for the run and answer with its respond step's output, or else the last step's output.",
      ),
    timeout: duration
      .prefault('30s')
      .describe(
        'How long a when_done webhook waits for the run, e.g. "30s"; after it, it answers 504 and the run goes on.',
      ),
  }),
  outputs: ['main'],
});

export type WebhookTriggerConfig = z.output<typeof webhookTrigger.config>;
