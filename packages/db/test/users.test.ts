import { createTestDatabase } from '@pincer/testing/support/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  ensureOwner,
  hashPassword,
  InvalidInputError,
  migrateDatabase,
  type PrismaClient,
  verifyPassword,
} from '../src/index.ts';

/** Polls from a connection of its own: inside a transaction pg_stat_activity keeps its first snapshot. */
async function waitForBlockedSessions(databaseUrl: string, count: number): Promise<void> {
  const monitor = new pg.Client({ connectionString: databaseUrl });
  await monitor.connect();
  try {
    // Each caller hashes its password (scrypt) before it reaches the database: on a loaded machine
    // that alone can take seconds, so wait generously.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const { rows } = await monitor.query<{ waiting: number }>(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if ((rows[0]?.waiting ?? 0) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${count} sessions never blocked on the barrier`);
  } finally {
    await monitor.end();
  }
}

let url: string;
let db: PrismaClient;

beforeAll(async () => {
  url = await createTestDatabase('users');
  await migrateDatabase(url);
  db = createDb(url);
});

afterAll(async () => {
  await db?.$disconnect();
});

describe('ensureOwner', () => {
  it('creates the first owner once with a generated password, then returns the same owner without one', async () => {
    const first = await ensureOwner(db, { email: ' Owner@Example.com ' });

    expect(first).toMatchObject({ created: true, email: 'owner@example.com' });
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const user = await db.user.findUniqueOrThrow({ where: { email: 'owner@example.com' } });
    expect(user.role).toBe('owner');
    expect(await verifyPassword(first.password ?? '', user.passwordHash ?? '')).toBe(true);

    const again = await ensureOwner(db, { email: 'someone.else@example.com' });

    expect(again).toEqual({ created: false, email: 'owner@example.com' });
    expect(await db.user.count()).toBe(1);
  });

  it('creates exactly one owner when several processes start at once', { timeout: 180_000 }, async () => {
    const fresh = await createTestDatabase('users_race');
    await migrateDatabase(fresh);
    const clients = Array.from({ length: 4 }, () => createDb(fresh));
    // A barrier: while this transaction holds the table lock, every INSERT INTO users waits, so all
    // callers reach the database together instead of one after another.
    const barrier = new pg.Client({ connectionString: fresh });
    await barrier.connect();
    try {
      await barrier.query('BEGIN; LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
      const calls = clients.map((client, i) =>
        ensureOwner(client, { email: `owner${i}@example.com`, password: 'pw' }),
      );
      await waitForBlockedSessions(fresh, clients.length);
      await barrier.query('COMMIT');
      const results = await Promise.all(calls);

      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.email)).size).toBe(1);
      expect(await clients[0]?.user.count()).toBe(1);
    } finally {
      await barrier.end();
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
  });

  it('rejects an address that is not an e-mail', async () => {
    await expect(ensureOwner(db, { email: 'owner' })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('accepts the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');

    expect(hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('says what to do with a stored hash it cannot read', async () => {
    await expect(verifyPassword('x', 'plaintext')).rejects.toMatchObject({
      code: 'DB_INVALID_INPUT',
      message: expect.stringContaining('set a new password'),
    });
  });
});
