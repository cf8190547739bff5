import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase } from '@pincer/testing/support/db';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DatabaseUnreachableError, MigrationError, migrateDatabase } from '../src/index.ts';
import { prismaPaths } from '../src/paths.ts';
import { NO_FILTERS, withSchemaEngine } from '../src/schema-engine.ts';
import { describeSchema, tableNames } from './catalog.ts';

const paths = prismaPaths();
const MODEL_TABLES = [
  'api_tokens',
  'artifacts',
  'audit_events',
  'chat_pairings',
  'conversations',
  'credentials',
  'messages',
  'runs',
  'schedules',
  'step_runs',
  'studio_sessions',
  'triggers',
  'users',
  'workflow_versions',
  'workflows',
];

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(paths.migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function query<Row extends pg.QueryResultRow>(databaseUrl: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migrateDatabase', () => {
  it('applies every migration to an empty database and creates every table', async () => {
    const url = await createTestDatabase('migrate');
    const logged: string[] = [];

    const { applied } = await migrateDatabase(url, { log: (line) => logged.push(line) });

    expect(applied).toEqual(await migrationNames());
    expect(await tableNames(url)).toEqual(['_prisma_migrations', ...MODEL_TABLES].sort());
    expect(logged.some((line) => line.startsWith('Applying'))).toBe(true);
  });

  it('applies nothing the second time', async () => {
    const url = await createTestDatabase('migrate');
    await migrateDatabase(url);

    expect(await migrateDatabase(url)).toEqual({ applied: [] });
  });

  it('lets two callers migrate at once: both succeed and each migration runs once', async () => {
    const url = await createTestDatabase('migrate');

    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);

    expect(results.flatMap((result) => result.applied).sort()).toEqual(await migrationNames());
    const rows = await query<{ migration_name: string }>(
      url,
      'SELECT migration_name FROM _prisma_migrations',
    );
    expect(rows.map((row) => row.migration_name).sort()).toEqual(await migrationNames());
  });

  it("records migrations in _prisma_migrations the way Prisma's migrate deploy does", async () => {
    const url = await createTestDatabase('migrate');
    await migrateDatabase(url);

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const sql = await readFile(join(paths.migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('builds exactly the schema in the committed snapshot, and schema.prisma has no unmigrated change', async () => {
    const migrated = await createTestDatabase('migrated');
    const fromSnapshot = await createTestDatabase('snapshot');
    await migrateDatabase(migrated);
    const snapshot = await readFile(paths.snapshotFile, 'utf8');
    const schema = await readFile(paths.schemaFile, 'utf8');
    const snapshotFiles = [{ path: paths.snapshotFile, content: snapshot }];

    const pool = new pg.Pool({ connectionString: fromSnapshot });
    try {
      await withSchemaEngine({ schemaFiles: snapshotFiles, pool }, async (engine) => {
        const create = await engine.diff({
          from: { tag: 'empty' },
          to: { tag: 'schemaDatamodel', files: snapshotFiles },
          script: true,
          exitCode: null,
          filters: NO_FILTERS,
        });
        await pool.query(create.stdout ?? '');
        const pending = await engine.diff({
          from: { tag: 'schemaDatamodel', files: snapshotFiles },
          to: { tag: 'schemaDatamodel', files: [{ path: paths.schemaFile, content: schema }] },
          script: true,
          exitCode: true,
          filters: NO_FILTERS,
        });
        expect(pending.exitCode, `write a migration for:\n${pending.stdout}`).toBe(0);
      });
    } finally {
      await pool.end();
    }

    expect(await describeSchema(migrated)).toEqual(await describeSchema(fromSnapshot));
  });

  it('gives up with DB_MIGRATION_LOCKED while another process holds the migration lock too long', async () => {
    const url = await createTestDatabase('migrate');
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtext('pincer.migrate'))");

      await expect(migrateDatabase(url, { lockTimeoutMs: 300 })).rejects.toMatchObject({
        code: 'DB_MIGRATION_LOCKED',
      });
    } finally {
      await other.end();
    }
    expect((await migrateDatabase(url)).applied).toEqual(await migrationNames());
  });

  it('says which folder is missing when there are no migrations', async () => {
    const url = await createTestDatabase('migrate');

    await expect(migrateDatabase(url, { prismaDir: '/nonexistent/prisma' })).rejects.toMatchObject({
      code: 'DB_MIGRATIONS_NOT_FOUND',
      message: expect.stringContaining('/nonexistent/prisma/migrations'),
    });
    await expect(migrateDatabase(url, { prismaDir: '/nonexistent/prisma' })).rejects.toBeInstanceOf(
      MigrationError,
    );
  });

  it('reports an unreachable server as DB_UNREACHABLE without leaking the password', async () => {
    const error = await migrateDatabase('postgres://pincer:s3cret@127.0.0.1:1/pincer').catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(error).toMatchObject({
      code: 'DB_UNREACHABLE',
      message: expect.stringContaining('127.0.0.1:1/pincer'),
    });
    expect(String(error)).not.toContain('s3cret');
  });
});
