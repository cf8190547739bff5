import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@pincer/db';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';

/**
 * Credentials: secrets that steps reference by name (`{{ secrets.api_token }}`). Stored with
 * AES-256-GCM under the installation's key, the name bound in as associated data so a ciphertext
 * cannot be moved to another name; write-only through every interface; decrypted only inside
 * activities, never written to Temporal history, step records or logs.
 */

export const CREDENTIAL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
const KEY_VERSION = 1;

function checkName(name: string): void {
  if (!CREDENTIAL_NAME.test(name)) {
    throw new EngineError(
      'input_invalid',
      `"${name}" is not a credential name: use letters, digits and _ (it is read as secrets.${name}).`,
    );
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new EngineError('input_invalid', 'The secret key must be 32 bytes (AES-256).');
}

export function encryptSecret(key: Buffer, name: string, plaintext: string) {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag() };
}

export function decryptSecret(
  key: Buffer,
  name: string,
  sealed: { ciphertext: Uint8Array; iv: Uint8Array; authTag: Uint8Array },
): string {
  checkKey(key);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(Buffer.from(name));
  decipher.setAuthTag(sealed.authTag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new EngineError(
      'credential_unreadable',
      `Credential "${name}" cannot be decrypted with this installation's key: set it again (pincer credential set ${name}), or restore the key it was stored with.`,
    );
  }
}

export async function setCredential(
  db: PrismaClient,
  key: Buffer,
  input: { name: string; value: string; type?: string; actor: string; userId?: string },
): Promise<{ name: string; created: boolean }> {
  checkName(input.name);
  if (input.value.length === 0)
    throw new EngineError('input_invalid', `Credential "${input.name}" needs a value.`);
  const sealed = encryptSecret(key, input.name, input.value);
  const existing = await db.credential.findUnique({ where: { name: input.name }, select: { id: true } });
  const fields = { type: input.type ?? 'secret', ...sealed, keyVersion: KEY_VERSION };
  await db.credential.upsert({
    where: { name: input.name },
    create: { name: input.name, ...fields, ...(input.userId ? { createdById: input.userId } : {}) },
    update: fields,
  });
  await audit(db, {
    actor: input.actor,
    action: existing ? 'credential.updated' : 'credential.created',
    targetId: input.name,
    data: { type: fields.type },
  });
  return { name: input.name, created: !existing };
}

export async function readCredential(db: PrismaClient, key: Buffer, name: string): Promise<string> {
  const row = await db.credential.findUnique({ where: { name } });
  if (!row) {
    throw new EngineError(
      'credential_not_found',
      `No credential named "${name}": set it with \`pincer credential set ${name}\` (or PUT /api/v1/credentials/${name}).`,
    );
  }
  return decryptSecret(key, name, row);
}

/** Names and types only: values never leave the store except into a running step. */
export async function listCredentials(db: PrismaClient) {
  const rows = await db.credential.findMany({
    orderBy: { name: 'asc' },
    select: { name: true, type: true, createdAt: true, updatedAt: true },
  });
  return rows;
}

export async function deleteCredential(db: PrismaClient, name: string, actor: string): Promise<void> {
  const deleted = await db.credential.deleteMany({ where: { name } });
  if (deleted.count === 0) throw new EngineError('credential_not_found', `No credential named "${name}".`);
  await audit(db, { actor, action: 'credential.deleted', targetId: name });
}
