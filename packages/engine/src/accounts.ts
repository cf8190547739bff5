import { randomBytes } from 'node:crypto';
import { hashPassword, type PrismaClient, type User, verifyPassword } from '@pincer/db';
import { audit } from './audit.ts';

/**
 * Studio accounts: password sign-in with throttling, sessions that can be revoked, password
 * changes and disabling users. Failed sign-ins are audit events (`user.sign_in_failed`); the
 * throttle counts them, so it holds across restarts and for every process serving the studio.
 */

/** Failed sign-ins are counted over this window. */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
/** Failures for one e-mail address (whatever the caller's address) before it is refused. */
export const MAX_FAILURES_PER_ACCOUNT = 10;
/** Failures from one client address (whatever the e-mail) before it is refused. */
export const MAX_FAILURES_PER_ADDRESS = 30;
export const MIN_PASSWORD_LENGTH = 8;

export type AccountErrorCode =
  | 'sign_in_throttled'
  | 'user_not_found'
  | 'password_wrong'
  | 'password_too_short'
  | 'last_owner'
  | 'self_disable';

/** A refused account operation; the message says what to do. */
export class AccountError extends Error {
  override readonly name = 'AccountError';
  constructor(
    readonly code: AccountErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Unknown e-mails, users without a password and disabled users are checked against this hash, so
// every refusal costs one scrypt like a wrong password does: timing does not tell who exists.
let decoyHash: Promise<string> | undefined;
function decoy(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  return decoyHash;
}

export interface SignInRequest {
  email: string;
  password: string;
  /** The client's address as the studio's server saw it (not a forwarded header). */
  address: string;
  /** How long the session lasts. */
  maxAgeMs: number;
}

function minutesLeft(oldest: Date | undefined): number {
  const left = (oldest?.getTime() ?? Date.now()) + SIGN_IN_WINDOW_MS - Date.now();
  return Math.max(1, Math.ceil(left / 60_000));
}

async function throttle(db: PrismaClient, email: string, address: string): Promise<void> {
  const since = new Date(Date.now() - SIGN_IN_WINDOW_MS);
  const failed = { action: 'user.sign_in_failed', createdAt: { gte: since } };
  const [account, fromAddress] = await Promise.all([
    db.auditEvent.findMany({
      where: { ...failed, targetType: 'account', targetId: email },
      orderBy: { createdAt: 'desc' },
      take: MAX_FAILURES_PER_ACCOUNT,
      select: { createdAt: true },
    }),
    db.auditEvent.findMany({
      where: { ...failed, data: { path: ['address'], equals: address } },
      orderBy: { createdAt: 'desc' },
      take: MAX_FAILURES_PER_ADDRESS,
      select: { createdAt: true },
    }),
  ]);
  const which =
    account.length >= MAX_FAILURES_PER_ACCOUNT
      ? { scope: 'account', oldest: account.at(-1)?.createdAt }
      : fromAddress.length >= MAX_FAILURES_PER_ADDRESS
        ? { scope: 'address', oldest: fromAddress.at(-1)?.createdAt }
        : null;
  if (!which) return;
  await audit(db, {
    actor: `address:${address}`,
    action: 'user.sign_in_throttled',
    targetId: email,
    data: { address, scope: which.scope },
  });
  throw new AccountError(
    'sign_in_throttled',
    `Too many failed sign-ins ${which.scope === 'account' ? 'for this account' : 'from your address'}: try again in ${minutesLeft(which.oldest)} minutes. An owner can set a new password with \`pincer user password EMAIL\`.`,
  );
}

/**
 * Checks an e-mail and password: the user and a new session's id when they match an active user,
 * null otherwise (the same answer, after the same work, whether the e-mail exists or not).
 * Throws AccountError `sign_in_throttled` while the account or the address has failed too often.
 */
export async function signIn(
  db: PrismaClient,
  request: SignInRequest,
): Promise<{ user: User; sessionId: string } | null> {
  const email = request.email.trim().toLowerCase();
  await throttle(db, email, request.address);
  const user = await db.user.findUnique({ where: { email } });
  const usable = user?.passwordHash && !user.disabledAt ? user.passwordHash : null;
  const matches = await verifyPassword(request.password, usable ?? (await decoy()));
  if (!user || !usable || !matches) {
    await audit(db, {
      actor: `address:${request.address}`,
      action: 'user.sign_in_failed',
      targetId: email,
      data: { address: request.address },
    });
    return null;
  }
  const session = await db.studioSession.create({
    data: { userId: user.id, expiresAt: new Date(Date.now() + request.maxAgeMs) },
  });
  await audit(db, { actor: `user:${user.email}`, action: 'user.signed_in', targetId: user.id });
  return { user, sessionId: session.id };
}

/** The user of a live session (not revoked, not expired, user not disabled), else null. */
export async function sessionUser(db: PrismaClient, sessionId: string, userId: string): Promise<User | null> {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, userId, revokedAt: null, expiresAt: { gt: new Date() } },
    include: { user: true },
  });
  return session && !session.user.disabledAt ? session.user : null;
}

/** Signing out: the session's cookie stops working, even a copy of it. */
export async function revokeSession(db: PrismaClient, sessionId: string): Promise<void> {
  await db.studioSession.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

async function revokeSessionsOf(db: PrismaClient, userId: string): Promise<number> {
  const { count } = await db.studioSession.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}

export interface ChangePasswordInput {
  userId: string;
  password: string;
  /** Required when people change their own password in the studio; the CLI (local admin) omits it. */
  current?: string;
  actor: string;
}

/** Sets a new password and signs the user out everywhere (every studio session is revoked). */
export async function changePassword(db: PrismaClient, input: ChangePasswordInput): Promise<void> {
  const user = await db.user.findUnique({ where: { id: input.userId } });
  if (!user) throw new AccountError('user_not_found', `No user with id ${input.userId}.`);
  if (input.current !== undefined) {
    const matches = await verifyPassword(input.current, user.passwordHash ?? (await decoy()));
    if (!user.passwordHash || !matches)
      throw new AccountError('password_wrong', 'The current password is not right: type it again.');
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError(
      'password_too_short',
      `The new password has ${input.password.length} characters: use at least ${MIN_PASSWORD_LENGTH}.`,
    );
  }
  await db.user.update({
    where: { id: user.id },
    data: { passwordHash: await hashPassword(input.password) },
  });
  const revoked = await revokeSessionsOf(db, user.id);
  await audit(db, {
    actor: input.actor,
    action: 'user.password_changed',
    targetId: user.id,
    data: { sessionsRevoked: revoked },
  });
}

/**
 * Disables or enables a user. A disabled user cannot sign in, their studio sessions are revoked
 * and their API tokens stop working; enabling gives back sign-in and the tokens not revoked.
 */
export async function setUserDisabled(
  db: PrismaClient,
  input: { userId: string; disabled: boolean; actor: string; by?: string },
): Promise<void> {
  if (input.disabled && input.by === input.userId)
    throw new AccountError('self_disable', 'You cannot disable yourself: ask another owner.');
  const user = await db.user.findUnique({ where: { id: input.userId } });
  if (!user) throw new AccountError('user_not_found', `No user with id ${input.userId}.`);
  if (input.disabled && user.role === 'owner') {
    const owners = await db.user.count({ where: { role: 'owner', disabledAt: null, id: { not: user.id } } });
    if (owners === 0)
      throw new AccountError(
        'last_owner',
        `${user.email} is the only active owner: make another owner first.`,
      );
  }
  await db.user.update({
    where: { id: user.id },
    data: { disabledAt: input.disabled ? (user.disabledAt ?? new Date()) : null },
  });
  const revoked = input.disabled ? await revokeSessionsOf(db, user.id) : 0;
  await audit(db, {
    actor: input.actor,
    action: input.disabled ? 'user.disabled' : 'user.enabled',
    targetId: user.id,
    data: input.disabled ? { sessionsRevoked: revoked } : {},
  });
}
