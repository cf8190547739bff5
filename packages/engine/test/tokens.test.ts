import { createHash } from 'node:crypto';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import { createTestDatabase } from '@pincer/testing/support/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticateToken,
  createApiToken,
  lesserRole,
  listApiTokens,
  revokeApiToken,
  roleAllows,
  TokenError,
} from '../src/index.ts';

let db: PrismaClient;

beforeAll(async () => {
  const url = await createTestDatabase('tokens');
  await migrateDatabase(url);
  db = createDb(url);
});

afterAll(async () => {
  await db?.$disconnect();
});

async function user(role: 'owner' | 'editor' | 'viewer') {
  return db.user.create({ data: { email: `${role}-${crypto.randomUUID()}@example.com`, role } });
}

describe('API tokens', () => {
  it('creates a token that is shown once and stored only as its hash', async () => {
    const owner = await user('owner');
    const created = await createApiToken(db, { userId: owner.id, name: 'ci' });
    expect(created.token).toMatch(/^pcr_[0-9A-Za-z]{8}_[0-9A-Za-z]{32,}$/);
    expect(created.token.startsWith(`${created.prefix}_`)).toBe(true);
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(stored.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(stored.role).toBe('owner');
    const audit = await db.auditEvent.findFirst({ where: { action: 'token.created', targetId: created.id } });
    expect(audit?.actor).toBe(`user:${owner.email}`);
  });

  it('authenticates a valid token with its user and records the use', async () => {
    const editor = await user('editor');
    const { token, id } = await createApiToken(db, { userId: editor.id, name: 'deploy' });
    const found = await authenticateToken(db, token);
    expect(found?.user.id).toBe(editor.id);
    expect(found?.token.id).toBe(id);
    expect(found?.role).toBe('editor');
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(stored.lastUsedAt).not.toBeNull();
  });

  it('writes lastUsedAt at most once a minute', async () => {
    const editor = await user('editor');
    const { token, id } = await createApiToken(db, { userId: editor.id, name: 'busy' });
    const first = new Date('2030-01-01T00:00:00Z');
    await authenticateToken(db, token, first);
    await authenticateToken(db, token, new Date(first.getTime() + 30_000));
    expect((await db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(first);
    const later = new Date(first.getTime() + 61_000);
    await authenticateToken(db, token, later);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(later);
  });

  it('rejects unknown and malformed tokens', async () => {
    expect(await authenticateToken(db, 'pcr_AAAAAAAA_0123456789abcdefghijABCDEFGHIJ0123456789')).toBeNull();
    expect(await authenticateToken(db, 'not-a-token')).toBeNull();
    expect(await authenticateToken(db, '')).toBeNull();
  });

  it('rejects a revoked token and audits the revocation', async () => {
    const owner = await user('owner');
    const { token, id } = await createApiToken(db, { userId: owner.id, name: 'old' });
    await revokeApiToken(db, { id, actor: 'test' });
    expect(await authenticateToken(db, token)).toBeNull();
    expect(await db.auditEvent.count({ where: { action: 'token.revoked', targetId: id } })).toBe(1);
    expect((await listApiTokens(db)).map((entry) => entry.id)).not.toContain(id);
    expect((await listApiTokens(db, { includeRevoked: true })).map((entry) => entry.id)).toContain(id);
  });

  it('refuses to revoke a token that does not exist', async () => {
    await expect(revokeApiToken(db, { id: crypto.randomUUID(), actor: 'test' })).rejects.toMatchObject({
      code: 'token_not_found',
    });
    await expect(revokeApiToken(db, { id: 'nope', actor: 'test' })).rejects.toBeInstanceOf(TokenError);
  });

  it('rejects an expired token', async () => {
    const owner = await user('owner');
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    const { token } = await createApiToken(db, { userId: owner.id, name: 'short', expiresAt });
    expect(await authenticateToken(db, token, new Date('2029-12-31T23:59:00Z'))).not.toBeNull();
    expect(await authenticateToken(db, token, expiresAt)).toBeNull();
  });

  it('rejects the token of a disabled user', async () => {
    const owner = await user('owner');
    const { token } = await createApiToken(db, { userId: owner.id, name: 'gone' });
    await db.user.update({ where: { id: owner.id }, data: { disabledAt: new Date() } });
    expect(await authenticateToken(db, token)).toBeNull();
  });

  it('acts with the lesser of the token role and the user role', async () => {
    const owner = await user('owner');
    const viewerToken = await createApiToken(db, { userId: owner.id, name: 'read-only', role: 'viewer' });
    expect((await authenticateToken(db, viewerToken.token))?.role).toBe('viewer');

    const editor = await user('editor');
    const editorToken = await createApiToken(db, { userId: editor.id, name: 'ed', role: 'editor' });
    await db.user.update({ where: { id: editor.id }, data: { role: 'viewer' } });
    expect((await authenticateToken(db, editorToken.token))?.role).toBe('viewer');
  });

  it('refuses a token with more rights than its user', async () => {
    const viewer = await user('viewer');
    await expect(createApiToken(db, { userId: viewer.id, name: 'x', role: 'owner' })).rejects.toMatchObject({
      code: 'role_above_user',
    });
  });

  it('orders roles owner over editor over viewer', () => {
    expect(roleAllows('owner', 'editor')).toBe(true);
    expect(roleAllows('editor', 'editor')).toBe(true);
    expect(roleAllows('viewer', 'editor')).toBe(false);
    expect(lesserRole('owner', 'viewer')).toBe('viewer');
    expect(lesserRole('editor', 'owner')).toBe('editor');
  });
});
