import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { DatabaseUnreachableError, describeCause, describeDatabase, MigrationError } from './errors.ts';
import { prismaPaths } from './paths.ts';
import { type MigrationList, NO_FILTERS, withSchemaEngine } from './schema-engine.ts';

export interface MigrateOptions {
  /** Folder holding schema.prisma and migrations/; defaults to the repository's prisma/. */
  prismaDir?: string;
  /** Receives one line per engine event, e.g. "Applying `20250101000000_init`". */
  log?: (message: string) => void;
  /** How long to wait while another process is migrating the same database. Default 120 s. */
  lockTimeoutMs?: number;
}

/**
 * Applies every migration in prisma/migrations that the database has not applied yet, recording them
 * in `_prisma_migrations` exactly as `prisma migrate deploy` does. Concurrent callers are serialized
 * by a PostgreSQL advisory lock, so each migration runs once.
 */
export async function migrateDatabase(
  databaseUrl: string,
  options: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const paths = prismaPaths(options.prismaDir);
  const migrationsList = await readMigrationList(paths.migrationsDir);
  const schema = await readFile(paths.schemaFile, 'utf8').catch((error: unknown) => {
    throw new MigrationError(
      'DB_MIGRATIONS_NOT_FOUND',
      `No schema.prisma at ${paths.schemaFile}: the engine needs it beside migrations/. ` +
        'Pass prismaDir pointing at the folder that holds both.',
      { cause: error },
    );
  });
  // Every start comes here: when nothing is pending, answer without loading the wasm engine.
  if (await everyMigrationApplied(databaseUrl, migrationsList)) return { applied: [] };
  const release = await acquireMigrationLock(databaseUrl, options.lockTimeoutMs ?? 120_000);
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    const output = await withSchemaEngine(
      { schemaFiles: [{ path: paths.schemaFile, content: schema }], pool, log: engineLogger(options.log) },
      (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
    ).catch((error: unknown) => {
      throw new MigrationError(
        'DB_MIGRATION_FAILED',
        `Applying the migrations in ${paths.migrationsDir} to ${describeDatabase(databaseUrl)} failed: ` +
          `${describeCause(error)}\nFix the migration or the database, then start again; a migration ` +
          'that failed half-way must be marked rolled back first (packages/db/README.md, "Migrations").',
        { cause: error },
      );
    });
    return { applied: output.appliedMigrationNames };
  } finally {
    await pool.end();
    await release();
  }
}

/** True when `_prisma_migrations` records every migration in the folder as finished. */
async function everyMigrationApplied(databaseUrl: string, migrationsList: MigrationList): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const result = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(result.rows.map((row) => row.migration_name));
    return migrationsList.migrationDirectories.every((directory) => applied.has(directory.path));
  } catch {
    // No table yet, or anything unusual: let the engine, which explains its errors, decide.
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The migrations folder in the shape the schema engine reads, like the Prisma CLI builds it. */
export async function readMigrationList(migrationsDir: string): Promise<MigrationList> {
  let entries: Dirent[];
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(
      'DB_MIGRATIONS_NOT_FOUND',
      `No migrations folder at ${migrationsDir}: pass prismaDir pointing at the folder that holds ` +
        'schema.prisma and migrations/, or write the first migration with ' +
        '`npm run migration:new -w @pincer/db -- init`.',
      { cause: error },
    );
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: await readForEngine(join(migrationsDir, name)) },
    })),
  );
  const lockfile = await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockfile },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

// A missing migration.sql is reported by the engine with the migration's name, as Prisma does.
async function readForEngine(
  migrationDir: string,
): Promise<{ tag: 'ok'; value: string } | { tag: 'error'; value: string }> {
  try {
    return { tag: 'ok', value: await readFile(join(migrationDir, 'migration.sql'), 'utf8') };
  } catch (error) {
    return { tag: 'error', value: describeCause(error) };
  }
}

/**
 * Holds a session-level advisory lock on a connection of its own for the whole run. The engine takes
 * Prisma's lock too, but through its pool and without a time limit; this one does not depend on how
 * the engine uses connections, gives up after `timeoutMs` with an error that says what to do, and
 * dies with the session if the process does.
 */
async function acquireMigrationLock(databaseUrl: string, timeoutMs: number): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnreachableError(
      `Cannot connect to PostgreSQL at ${describeDatabase(databaseUrl)}: ${describeCause(error)}. ` +
        'Check that it is running and that DATABASE_URL names an existing database and valid credentials.',
      { cause: error },
    );
  }
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    await client.query("SELECT pg_advisory_lock(hashtext('pincer.migrate'))");
    await client.query('RESET lock_timeout');
  } catch (error) {
    await client.end();
    if (!isLockTimeout(error)) {
      throw new MigrationError(
        'DB_MIGRATION_FAILED',
        `Taking the migration lock failed: ${describeCause(error)}`,
        {
          cause: error,
        },
      );
    }
    throw new MigrationError(
      'DB_MIGRATION_LOCKED',
      `Another process has been migrating ${describeDatabase(databaseUrl)} for over ${timeoutMs} ms. ` +
        'Wait for it, or if none is running, end the session holding the lock ' +
        "(SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory').",
      { cause: error },
    );
  }
  return async () => {
    await client.query("SELECT pg_advisory_unlock(hashtext('pincer.migrate'))").catch(() => undefined);
    await client.end();
  };
}

function isLockTimeout(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === '55P03';
}

/** The engine logs JSON events; callers get their message, or the line when it is not JSON. */
export function engineLogger(log: ((message: string) => void) | undefined): (line: string) => void {
  if (!log) return () => {};
  return (line) => {
    const message = eventMessage(line.trim());
    if (message) log(message);
  };
}

function eventMessage(line: string): string {
  try {
    const event: unknown = JSON.parse(line);
    if (typeof event === 'object' && event !== null && 'fields' in event) {
      const { fields } = event;
      if (typeof fields === 'object' && fields !== null && 'message' in fields) {
        return String(fields.message);
      }
    }
  } catch {
    // Not JSON: pass the line through as it is.
  }
  return line;
}
