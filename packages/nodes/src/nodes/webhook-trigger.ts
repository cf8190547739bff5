import { z } from 'zod';
import { defineNode } from '../define.ts';
import { duration } from '../duration.ts';
import { triggerNodeType } from '../kinds.ts';

export const webhookTrigger = defineNode({
  type: triggerNodeType('webhook'),
  title: 'Webhook trigger',
  description: 'Starts the workflow when its webhook URL is called; can answer with the run result.',
  category: 'trigger',
  capability: 'core',
  execution: 'control',
  sideEffects: 'none',
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
  docs: {
    example: `
workflow:
  name: intake
  triggers:
    - type: webhook
      name: orders
      method: POST
      respond: when_done
      timeout: 10s
  steps:
    - name: answer
      type: respond
      status: 201
      body:
        received: "{{ trigger.body.id }}"
`,
    notes:
      'The request is `trigger` in expressions: `{ method, path, query, headers, body }` (a JSON body parsed; ' +
      'the secret, Authorization and Cookie left out). Callers send the secret in the `X-Pincer-Secret` header. ' +
      'Its URL is `/api/v1/hooks/{id}`; the id and secret are made when the workflow is stored. ' +
      'See [workflows.md](workflows.md#webhook) for the answers it gives.',
    minimal: {},
  },
  outputs: ['main'],
});

export type WebhookTriggerConfig = z.output<typeof webhookTrigger.config>;
