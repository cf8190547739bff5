import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { withSchemaEngine, NO_FILTERS, type MigrationList } from '../src/schema-engine.ts';

const url = 'postgres://postgres:postgres@127.0.0.1:55432/postgres';
const admin = new pg.Client(url); await admin.connect();
await admin.query('DROP DATABASE IF EXISTS exp2'); await admin.query('CREATE DATABASE exp2'); await admin.end();
const pool = new pg.Pool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:55432/exp2' });
const schema = await readFile('/work/main/prisma/schema.prisma', 'utf8');
const list: MigrationList = { baseDir: '/tmp/dbwork/mig', lockfile: { path: 'migration_lock.toml', content: await readFile('/tmp/dbwork/mig/migration_lock.toml', 'utf8') }, shadowDbInitScript: '',
  migrationDirectories: [{ path: '20250101000000_init', migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: await readFile('/tmp/dbwork/mig/20250101000000_init/migration.sql', 'utf8') } } }] };
const t0 = Date.now();
await withSchemaEngine({ schemaFiles: [{ path: 'schema.prisma', content: schema }], pool, log: (l) => console.log('LOG', l) }, async (engine) => {
  const r = await engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS });
  console.log('apply', Date.now() - t0, r);
  const r2 = await engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS });
  console.log('apply2', Date.now() - t0, r2);
  try {
  const d = await engine.diff({ from: { tag: 'migrations', ...list }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: NO_FILTERS });
  console.log('diff migrations->schema', Date.now() - t0, d);
  } catch (e) { console.log('diff mig err', e); }
  try {
  const d = await engine.diff({ from: { tag: 'url', url: 'postgres://postgres:postgres@127.0.0.1:55432/exp2' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: NO_FILTERS });
  console.log('diff url->schema', Date.now() - t0, d);
  } catch (e) { console.log('diff url err', e); }
  const diag = await engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: false, filters: NO_FILTERS });
  console.log('diag', diag);
});
const rows = await pool.query('select * from _prisma_migrations'); console.log(rows.rows);
const cols = await pool.query(`select column_name, data_type from information_schema.columns where table_name='_prisma_migrations'`); console.log(cols.rows);
const dbs = await pool.query(`select datname from pg_database`); console.log(dbs.rows);
await pool.end();
