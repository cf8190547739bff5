import type { Prisma, PrismaClient } from '@pincer/db';

/**
 * Every audit action and the kind of thing it is about: the one list of what the audit log can
 * say (the studio's audit page and `pincer` read these names). `run.started` is written in the
 * same SQL statement as the run itself (runs.ts), so it is listed here without going through `audit`.
 */
export const AUDIT_ACTIONS = {
  'workflow.created': 'workflow',
  'workflow.draft_saved': 'workflow',
  'workflow.version.created': 'workflow',
  'workflow.published': 'workflow',
  'workflow.rolled_back': 'workflow',
  'workflow.archived': 'workflow',
  'workflow.triggers.published': 'workflow',
  'run.started': 'run',
  'run.cancel_requested': 'run',
  'approval.approved': 'run',
  'approval.rejected': 'run',
  'schedule.paused': 'schedule',
  'schedule.resumed': 'schedule',
  'webhook.secret_rotated': 'trigger',
  'credential.created': 'credential',
  'credential.updated': 'credential',
  'credential.deleted': 'credential',
  'token.created': 'api_token',
  'token.revoked': 'api_token',
  'user.created': 'user',
  'user.role_changed': 'user',
  'user.signed_in': 'user',
  'user.sign_in_failed': 'account',
  'user.sign_in_throttled': 'account',
  'user.password_changed': 'user',
  'user.disabled': 'user',
  'user.enabled': 'user',
  'chat.pairing_requested': 'chat_pairing',
  'chat.pairing_approved': 'chat_pairing',
  'chat.pairing_rejected': 'chat_pairing',
  'chat.files_refused': 'conversation',
  'chat.run_approved': 'run',
  'chat.delivered': 'chat_outbox',
  'chat.delivery_retrying': 'chat_outbox',
  'chat.delivery_failed': 'chat_outbox',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export interface AuditEventInput {
  action: AuditAction;
  /** Who did it, in the format of Run.actor: "ada@example.com (token:pcr_Ab12Cd34)", "webhook:<id>"... */
  actor: string;
  /** The id of the thing it is about (its kind follows from the action). */
  targetId: string;
  data?: Prisma.InputJsonObject;
}

/**
 * Records an audit event. Returns Prisma's lazy promise, so it can join a `$transaction([...])`
 * batch; inside an interactive transaction pass the transaction client.
 */
export function audit(db: PrismaClient | Prisma.TransactionClient, event: AuditEventInput) {
  return db.auditEvent.create({
    data: {
      actor: event.actor,
      action: event.action,
      targetType: AUDIT_ACTIONS[event.action],
      targetId: event.targetId,
      data: event.data ?? {},
    },
  });
}
