import { createHash, randomInt } from 'node:crypto';
import type { ApiToken, PrismaClient, Role, User } from '@pincer/db';
import { audit } from './audit.ts';

/**
 * API tokens: `pcr_<prefix>_<secret>`. Only the SHA-256 of the whole token is stored, so a
 * leaked database does not leak usable tokens; the token is shown once, at creation.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX_LENGTH = 8;
/** 40 base62 characters: about 238 random bits. */
const SECRET_LENGTH = 40;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_PATTERN = /^pcr_([0-9A-Za-z]{8})_[0-9A-Za-z]{32,}$/;
/** `lastUsedAt` is written at most this often per token, so busy clients do not write on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;

const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

export type TokenErrorCode = 'user_not_found' | 'user_disabled' | 'role_above_user' | 'token_not_found';

/** A token request that cannot be served; the message says what to do. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `role` may do what `required` may (owner ⊇ editor ⊇ viewer). */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

/** The lesser of two roles: what a token acts with, given its own role and its user's. */
export function lesserRole(a: Role, b: Role): Role {
  return ROLE_RANK[a] <= ROLE_RANK[b] ? a : b;
}

function randomBase62(length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) text += BASE62[randomInt(BASE62.length)];
  return text;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** How audit events and runs name a token's actions ("token:pcr_Ab12Cd34"). */
/** Who did it, as runs, approvals and audit events record it: the person, and the token they used. */
export function tokenActor(token: Pick<ApiToken, 'prefix'>, user: { email: string }): string {
  return `${user.email} (token:${token.prefix})`;
}

export interface CreateApiTokenInput {
  userId: string;
  name: string;
  /** Defaults to the user's role; may not exceed it. */
  role?: Role;
  expiresAt?: Date;
  /** Who asks, for the audit log; defaults to the user. */
  actor?: string;
}

export interface CreatedApiToken {
  /** The secret: shown once, never stored. */
  token: string;
  id: string;
  prefix: string;
}

export async function createApiToken(db: PrismaClient, input: CreateApiTokenInput): Promise<CreatedApiToken> {
  const user = await db.user.findUnique({ where: { id: input.userId } });
  if (!user) throw new TokenError('user_not_found', `No user with id ${input.userId}.`);
  if (user.disabledAt)
    throw new TokenError('user_disabled', `User ${user.email} is disabled: enable the account first.`);
  const role = input.role ?? user.role;
  if (!roleAllows(user.role, role)) {
    throw new TokenError(
      'role_above_user',
      `A token cannot have more rights than its user: ${user.email} is ${user.role}, asked for ${role}.`,
    );
  }
  const prefix = `pcr_${randomBase62(PREFIX_LENGTH)}`;
  const token = `${prefix}_${randomBase62(SECRET_LENGTH)}`;
  const created = await db.apiToken.create({
    data: {
      name: input.name,
      tokenHash: hashToken(token),
      prefix,
      userId: user.id,
      role,
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    },
  });
  await audit(db, {
    actor: input.actor ?? `user:${user.email}`,
    action: 'token.created',
    targetId: created.id,
    data: {
      name: input.name,
      prefix,
      role,
      user: user.email,
      ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
    },
  });
  return { token, id: created.id, prefix };
}

export interface AuthenticatedToken {
  user: User;
  token: ApiToken;
  /** What the request may do: the lesser of the token's role and its user's. */
  role: Role;
}

/**
 * The token's user and effective role, or null when the token is malformed, unknown, revoked,
 * expired or belongs to a disabled user.
 */
export async function authenticateToken(
  db: PrismaClient,
  token: string,
  now: Date = new Date(),
): Promise<AuthenticatedToken | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const found = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  if (!found) return null;
  const { user, ...record } = found;
  if (record.revokedAt || (record.expiresAt && record.expiresAt <= now) || user.disabledAt) return null;
  const stale = new Date(now.getTime() - LAST_USED_GRANULARITY_MS);
  if (!record.lastUsedAt || record.lastUsedAt < stale) {
    // Conditional, so concurrent requests write once per interval.
    await db.apiToken.updateMany({
      where: { id: record.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
      data: { lastUsedAt: now },
    });
    record.lastUsedAt = now;
  }
  return { user, token: record, role: lesserRole(record.role, user.role) };
}

export interface ApiTokenSummary {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  user: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Every token (newest first), without secrets or hashes. */
export async function listApiTokens(
  db: PrismaClient,
  filter: { userId?: string; includeRevoked?: boolean } = {},
): Promise<ApiTokenSummary[]> {
  const tokens = await db.apiToken.findMany({
    where: {
      ...(filter.userId ? { userId: filter.userId } : {}),
      ...(filter.includeRevoked ? {} : { revokedAt: null }),
    },
    orderBy: { createdAt: 'desc' },
    include: { user: { select: { email: true } } },
  });
  return tokens.map((token) => ({
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    role: token.role,
    user: token.user.email,
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
  }));
}

/** Revokes a token for good; revoking a revoked token changes nothing. */
export async function revokeApiToken(
  db: PrismaClient,
  input: {
    id: string;
    actor: string;
    /** Who asks: someone other than an owner may only revoke their own tokens. */
    by?: { userId: string; role: Role };
  },
): Promise<void> {
  const token = UUID_PATTERN.test(input.id)
    ? await db.apiToken.findUnique({ where: { id: input.id } })
    : null;
  const allowed = !input.by || input.by.role === 'owner' || token?.userId === input.by.userId;
  if (!token || !allowed)
    throw new TokenError(
      'token_not_found',
      `No API token with id ${input.id}: list them with GET /api/v1/tokens.`,
    );
  if (token.revokedAt) return;
  await db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
  await audit(db, {
    actor: input.actor,
    action: 'token.revoked',
    targetId: token.id,
    data: { name: token.name, prefix: token.prefix },
  });
}
