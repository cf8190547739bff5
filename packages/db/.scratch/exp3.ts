import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { withSchemaEngine, NO_FILTERS } from '../src/schema-engine.ts';
const pool = new pg.Pool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:55432/exp2' });
const schema = await readFile('/work/main/prisma/schema.prisma', 'utf8');
const changed = schema.replace('title         String?', 'title         String?\n  extra Int?');
await withSchemaEngine({ schemaFiles: [{ path: 'schema.prisma', content: schema }], pool }, async (engine) => {
  try { const r = await engine.schemaPush({ force: false, schema: { files: [{ path: 'schema.prisma', content: schema }] }, filters: NO_FILTERS }); console.log('push same', r); } catch (e) { console.log('push err', String(e).slice(0, 500)); }
  try { const r = await engine.evaluateDataLoss({ migrationsList: { baseDir: '/tmp/dbwork/mig', lockfile: { path: 'migration_lock.toml', content: null }, shadowDbInitScript: '', migrationDirectories: [] }, schema: { files: [{ path: 'schema.prisma', content: changed }] }, filters: NO_FILTERS }); console.log('eval', r); } catch (e) { console.log('eval err', String(e).slice(0, 500)); }
});
await pool.end();
