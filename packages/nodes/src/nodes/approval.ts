import { z } from 'zod';
import { defineNode } from '../define.ts';

export const approval = defineNode({
  type: 'approval',
  title: 'Approval',
  description:
    "Pauses the run until a person approves or rejects going on, or until the step's timeout passes.",
  category: 'logic',
  capability: 'core',
  execution: 'control',
  sideEffects: 'none',
  config: z.strictObject({
    message: z
      .string()
      .min(1)
      .default('Approve to continue')
      .describe(
        'What the approver is asked. May hold {{ expressions }} to show what is at stake, e.g. "Pay invoice {{ trigger.body.id }}?"',
      ),
    on_timeout: z
      .enum(['reject', 'approve'])
      .default('reject')
      .describe(
        "The decision when nobody answers within the step's timeout: reject fails the step, approve lets the run go on.",
      ),
    approvers: z
      .array(z.email())
      .min(1, 'list at least one approver, or leave approvers out')
      .optional()
      .describe(
        'E-mail addresses of the users who may answer, e.g. [ops@example.com]. Leave it out to let any editor or owner answer.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: refund
  steps:
    - name: ask
      type: approval
      message: "{{ 'Refund ' & $string(trigger.amount) & ' EUR to ' & trigger.customer & '?' }}"
      approvers: [finance@example.com]
      on_timeout: reject
      timeout: 8h
    - name: pay_back
      type: http_request
      method: POST
      url: https://payments.example.com/api/refunds
      body: { customer: "{{ trigger.customer }}", amount: "{{ trigger.amount }}" }
`,
    notes:
      "The step's `timeout` is how long it waits for a decision. While it waits the step is " +
      '`waiting_approval` and the run `waiting`. Approval outputs `{ approved: true, by, comment? }` ' +
      '(`by: timeout` when `on_timeout: approve` decided); ' +
      'a rejection fails the step (error type `ApprovalRejected`), and so does a timeout with ' +
      '`on_timeout: reject` (`ApprovalTimedOut`). Decide with `POST /api/v1/runs/{id}/approvals/{step}`.',
    minimal: {},
  },
  outputs: ['main'],
  // The step's own `timeout` is how long it waits for a decision.
  defaults: { timeoutMs: 24 * 3_600_000 },
});

export type ApprovalConfig = z.output<typeof approval.config>;
