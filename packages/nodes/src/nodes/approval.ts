import { z } from 'zod';
import { defineNode } from '../define.ts';

export const approval = defineNode({
  type: 'approval',
  title: 'Approval',
  description: 'Waits until a person approves or rejects going on, in the studio, the CLI or chat.',
  category: 'logic',
  capability: 'core',
  execution: 'control',
  config: z.strictObject({
    /** What the approver is asked; may hold {{ expressions }} to show the data at stake. */
    message: z.string().min(1).default('Approve to continue'),
    /** What counts as the answer when nobody answers in time. */
    on_timeout: z.enum(['reject', 'approve']).default('reject'),
    /** E-mails of the users who may answer; when absent any editor or owner may. */
    approvers: z.array(z.email()).min(1, 'list at least one approver, or leave approvers out').optional(),
  }),
  outputs: ['main'],
  // The step's own `timeout` is how long it waits for a decision.
  defaults: { timeoutMs: 24 * 3_600_000 },
});

export type ApprovalConfig = z.output<typeof approval.config>;
