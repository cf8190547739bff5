import { randomBytes } from 'node:crypto';
import { InvalidInputError, NoOwnerError } from './errors.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { hashPassword } from './password.ts';

export interface EnsureOwnerInput {
  email: string;
  /** Generated (and returned once) when omitted. */
  password?: string;
}

export interface EnsureOwnerResult {
  created: boolean;
  /** The owner's e-mail: the new one, or the existing first owner's. */
  email: string;
  /** Only when a password was generated for a new owner: show it once, it is not stored. */
  password?: string;
}

/**
 * Creates the first user, as owner, when the database has no users; otherwise changes nothing and
 * returns the earliest owner. Safe to call from several processes at once.
 */
export async function ensureOwner(db: PrismaClient, input: EnsureOwnerInput): Promise<EnsureOwnerResult> {
  const email = normalizeEmail(input.email);
  if ((await db.user.count()) > 0) return { created: false, email: await firstOwnerEmail(db) };
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const created = await db.$transaction(async (tx) => {
    // Serializes concurrent first starts; released at commit.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('pincer.ensure_owner'))`;
    if ((await tx.user.count()) > 0) return false;
    await tx.user.create({ data: { email, passwordHash, role: 'owner' } });
    return true;
  });
  if (!created) return { created: false, email: await firstOwnerEmail(db) };
  return input.password === undefined ? { created: true, email, password } : { created: true, email };
}

async function firstOwnerEmail(db: PrismaClient): Promise<string> {
  const owner = await db.user.findFirst({ where: { role: 'owner' }, orderBy: { createdAt: 'asc' } });
  if (!owner) {
    throw new NoOwnerError(
      'Users exist but none has the owner role: give one of them the role ' +
        "(UPDATE users SET role = 'owner' WHERE email = '...').",
    );
  }
  return owner.email;
}

/** Lower-cased and trimmed, the form users.email is stored and looked up in. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized)) {
    throw new InvalidInputError(`"${email}" is not an e-mail address: give one like owner@example.com.`);
  }
  return normalized;
}

/** 144 random bits, URL-safe, easy to paste. */
function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
