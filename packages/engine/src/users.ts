import { hashPassword, normalizeEmail, type PrismaClient, type Role } from '@pincer/db';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';

/** The studio's accounts, oldest first (never their password hashes). */
export function listUsers(db: PrismaClient) {
  return db.user.findMany({
    orderBy: { createdAt: 'asc' },
    select: { id: true, email: true, name: true, role: true, disabledAt: true, createdAt: true },
  });
}

/** Creates an account; an email that has one already is refused. */
export async function createUser(
  db: PrismaClient,
  input: { email: string; password: string; role: Role; actor: string },
): Promise<{ id: string }> {
  const email = normalizeEmail(input.email);
  if (await db.user.findUnique({ where: { email } }))
    throw new EngineError('user_exists', `A user ${email} exists already.`);
  const user = await db.user.create({
    data: { email, role: input.role, passwordHash: await hashPassword(input.password) },
  });
  await audit(db, {
    action: 'user.created',
    actor: input.actor,
    targetId: user.id,
    data: { email, role: input.role },
  });
  return { id: user.id };
}

/** Gives an account another role; nobody demotes themselves (an owner must remain). */
export async function setUserRole(
  db: PrismaClient,
  input: { id: string; role: Role; actor: string; by: string },
): Promise<{ id: string }> {
  if (input.id === input.by && input.role !== 'owner')
    throw new EngineError('self_demotion', 'You cannot demote yourself: ask another owner.');
  await db.user.update({ where: { id: input.id }, data: { role: input.role } });
  await audit(db, {
    action: 'user.role_changed',
    actor: input.actor,
    targetId: input.id,
    data: { role: input.role },
  });
  return { id: input.id };
}

/** The audit log, newest first: filtered by actor (part of it), action (its start) and time. */
export function listAuditEvents(
  db: PrismaClient,
  filter: { actor?: string; action?: string; before?: Date; limit: number },
) {
  return db.auditEvent.findMany({
    where: {
      ...(filter.actor ? { actor: { contains: filter.actor, mode: 'insensitive' } } : {}),
      ...(filter.action ? { action: { startsWith: filter.action } } : {}),
      ...(filter.before ? { createdAt: { lt: filter.before } } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: filter.limit,
  });
}
