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
  outputs: ['main'],
  // The step's own `timeout` is how long it waits for a decision.
  defaults: { timeoutMs: 24 * 3_600_000 },
});

export type ApprovalConfig = z.output<typeof approval.config>;
