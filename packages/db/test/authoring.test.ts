import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@pincer/testing/support/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigration } from '../src/authoring.ts';
import { migrateDatabase } from '../src/index.ts';
import { tableNames } from './catalog.ts';

const header = 'datasource db {\n  provider = "postgresql"\n}\n';
const v1 = `${header}\nmodel Note {\n  id   Int    @id\n  text String\n  @@map("notes")\n}\n`;
const v2 = v1.replace('  text String\n', '  text String\n  pinned Boolean @default(false)\n');

describe('createMigration (npm run migration:new)', () => {
  let prismaDir: string;
  let databaseUrl: string;

  beforeEach(async () => {
    prismaDir = await mkdtemp(join(tmpdir(), 'pincer-authoring-'));
    databaseUrl = await createTestDatabase('authoring');
    await writeFile(join(prismaDir, 'schema.prisma'), v1);
  });

  afterEach(async () => {
    await rm(prismaDir, { recursive: true, force: true });
  });

  it('writes a first migration from nothing, then only the change, and both apply in order', async () => {
    const first = await createMigration('init', {
      databaseUrl,
      prismaDir,
      now: new Date('2030-01-02T03:04:05Z'),
    });
    expect(first).toMatchObject({ created: true, name: '20300102030405_init' });
    expect(first.created && first.sql).toContain('CREATE TABLE "notes"');

    await writeFile(join(prismaDir, 'schema.prisma'), v2);
    // Same second as the first migration: the folder must still sort after it.
    const second = await createMigration('pin_notes', {
      databaseUrl,
      prismaDir,
      now: new Date('2030-01-02T03:04:05Z'),
    });
    expect(second).toMatchObject({ created: true, name: '20300102030406_pin_notes' });
    expect(second.created && second.sql).toContain('ALTER TABLE "notes" ADD COLUMN     "pinned" BOOLEAN');
    expect(second.created && second.sql).not.toContain('CREATE TABLE');

    const migrations = join(prismaDir, 'migrations');
    expect((await readdir(migrations)).sort()).toEqual([
      '20300102030405_init',
      '20300102030406_pin_notes',
      'migration_lock.toml',
      'schema.prisma.snapshot',
    ]);
    expect(await readFile(join(migrations, 'schema.prisma.snapshot'), 'utf8')).toBe(v2);

    const target = await createTestDatabase('authoring_target');
    expect(await migrateDatabase(target, { prismaDir })).toEqual({
      applied: ['20300102030405_init', '20300102030406_pin_notes'],
    });
    expect(await tableNames(target)).toEqual(['_prisma_migrations', 'notes']);
  });

  it('writes nothing when schema.prisma has not changed since the last migration', async () => {
    await createMigration('init', { databaseUrl, prismaDir });

    expect(await createMigration('again', { databaseUrl, prismaDir })).toEqual({ created: false });
    expect((await readdir(join(prismaDir, 'migrations'))).filter((name) => name.endsWith('_again'))).toEqual(
      [],
    );
  });

  it('refuses to guess when the snapshot is gone, and names the file to restore', async () => {
    await createMigration('init', { databaseUrl, prismaDir });
    await rm(join(prismaDir, 'migrations', 'schema.prisma.snapshot'));

    await expect(createMigration('next', { databaseUrl, prismaDir })).rejects.toMatchObject({
      code: 'DB_SNAPSHOT_MISSING',
      message: expect.stringContaining('schema.prisma.snapshot'),
    });
  });

  it('rejects names that are not snake_case', async () => {
    await expect(createMigration('Add Runs', { databaseUrl, prismaDir })).rejects.toMatchObject({
      code: 'DB_MIGRATION_NAME_INVALID',
    });
  });
});
