import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { withSchemaEngine, NO_FILTERS } from '../src/schema-engine.ts';

const url = 'postgres://postgres:postgres@127.0.0.1:55432/postgres';
const admin = new pg.Client(url); await admin.connect();
await admin.query('DROP DATABASE IF EXISTS exp1'); await admin.query('CREATE DATABASE exp1'); await admin.end();
const pool = new pg.Pool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:55432/exp1' });
const schema = await readFile('/work/main/prisma/schema.prisma', 'utf8');
const t0 = Date.now();
await withSchemaEngine({ schemaFiles: [{ path: 'schema.prisma', content: schema }], pool, log: (l) => console.log('LOG', l) }, async (engine) => {
  console.log('new', Date.now() - t0);
  const r = await engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: NO_FILTERS });
  console.log('diff', Date.now() - t0, r.exitCode, r.stdout?.slice(0, 400));
  await (await import('node:fs/promises')).writeFile('/tmp/dbwork/exp/init.sql', r.stdout ?? '');
  const e = await engine.diff({ from: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: NO_FILTERS });
  console.log('empty diff:', JSON.stringify(e));
});
await pool.end();
