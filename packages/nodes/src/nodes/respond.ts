import { z } from 'zod';
import { defineNode } from '../define.ts';
import { answerHeaderAllowed, reservedAnswerHeaderMessage, respondAnswer } from '../pure.ts';

export const respond = defineNode({
  type: 'respond',
  title: 'Respond',
  description:
    'Sets the answer of a webhook that waits for its run (respond: when_done); the answer is sent as soon as this step has run, and the run goes on.',
  category: 'data',
  capability: 'core',
  execution: 'local',
  sideEffects: 'none',
  config: z.strictObject({
    status: z.int().min(100).max(599).default(200).describe('The HTTP status of the answer, 100 to 599.'),
    headers: z
      .record(z.string(), z.string())
      .superRefine((headers, context) => {
        for (const name of Object.keys(headers))
          if (!answerHeaderAllowed(name))
            context.addIssue({ code: 'custom', path: [name], message: reservedAnswerHeaderMessage(name) });
      })
      .default({})
      .describe(
        "Headers of the answer, e.g. { Location: /orders/42 }; content-type here overrides the default. Cookies, CORS and security headers are Pincer's and refused.",
      ),
    body: z
      .unknown()
      .optional()
      .describe(
        'The answer body, usually a {{ expression }}: a string is sent as text/plain, any other value as JSON.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: lookup
  triggers:
    - type: webhook
      method: GET
      respond: when_done
  steps:
    - name: find
      type: transform
      value: "{{ trigger.query.id }}"
    - name: answer
      type: respond
      headers: { Cache-Control: no-store }
      body: { id: "{{ steps.find.output }}" }
`,
    notes:
      'The webhook answers as soon as the first respond step has run; the steps after it go on running ' +
      '(a later failure does not change the answer). Transform, condition, switch and respond run inside ' +
      'the workflow, not as activities.',
    minimal: {},
  },
  outputs: ['main'],
  defaults: { retry: { maximumAttempts: 1 } },
  pure: respondAnswer,
});

export type RespondConfig = z.output<typeof respond.config>;
