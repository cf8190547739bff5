import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import { createDb, ensureOwner, migrateDatabase } from '@pincer/db';
import { createApiToken } from '@pincer/engine';
import {
  consoleReporter,
  embeddedDatabaseUrl,
  embeddedPostgresStep,
  freePort,
  provision,
  type RunningPostgres,
  startEmbeddedPostgres,
} from '@pincer/provision';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 13, finding 14: Pincer's processes reach the embedded PostgreSQL as a role that can use
 * rows and nothing else; migrations run as the schema's owner.
 */
let dataDir: string;
let postgres: RunningPostgres;
let port: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'pincer-role-'));
  // The server runs as the "postgres" user, who must be able to walk down to its cluster.
  await chmod(dataDir, 0o755);
  port = await freePort();
  const dir = path.join(dataDir, 'postgres');
  await provision([embeddedPostgresStep({ dir, port })], consoleReporter());
  postgres = await startEmbeddedPostgres({ dir, port });
  await migrateDatabase(postgres.url);
}, 180_000);

afterAll(async () => {
  await postgres?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function asApp<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgres.appUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('the database role of Pincer processes', () => {
  it('is the app role, not a superuser, for npm start and for tools beside it', async () => {
    const config = loadConfig({
      cwd: dataDir,
      env: { PINCER_DATA_DIR: dataDir, PINCER_POSTGRES_PORT: String(port) },
    });
    const url = await embeddedDatabaseUrl(config);
    expect(new URL(url).username).toBe('pincer_app');
    expect(url).toBe(postgres.appUrl);
    const role = await asApp((client) =>
      client.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
        'SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user',
      ),
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
  });

  it('reads and writes the rows of tables the migrations made', async () => {
    const db = createDb(postgres.appUrl);
    try {
      const owner = await ensureOwner(db, { email: 'owner@role.test', password: 'a good password' });
      expect(owner.created).toBe(true);
      const user = await db.user.findUniqueOrThrow({ where: { email: 'owner@role.test' } });
      const token = await createApiToken(db, { userId: user.id, name: 'role test' });
      await db.apiToken.delete({ where: { id: token.id } });
    } finally {
      await db.$disconnect();
    }
  });

  it('cannot change the schema, make roles, run programs or read server files', async () => {
    const refused = async (sql: string) =>
      asApp((client) =>
        client.query(sql).then(
          () => 'allowed',
          (error: Error) => error.message,
        ),
      );
    expect(await refused('CREATE TABLE stolen (x int)')).toMatch(/permission denied/);
    expect(await refused('DROP TABLE users')).toMatch(/must be owner/);
    expect(await refused('ALTER TABLE users ADD COLUMN x int')).toMatch(/must be owner/);
    expect(await refused('CREATE TEMP TABLE t (x int)')).toMatch(/permission denied/);
    expect(await refused("CREATE ROLE intruder LOGIN PASSWORD 'x'")).toMatch(/permission denied/);
    expect(await refused("COPY (SELECT 1) TO PROGRAM 'id'")).toMatch(/permission denied|must be superuser/);
    expect(await refused("SELECT pg_read_file('PG_VERSION')")).toMatch(/permission denied/);
  });
});
