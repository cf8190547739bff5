import pg from 'pg';
import { readFile } from 'node:fs/promises';
import { withSchemaEngine, NO_FILTERS } from '../src/schema-engine.ts';
import { readMigrationList } from '../src/migrations.ts';
const admin = new pg.Client('postgres://postgres:postgres@127.0.0.1:55432/postgres'); await admin.connect();
await admin.query('DROP DATABASE IF EXISTS exp6'); await admin.query('CREATE DATABASE exp6'); await admin.end();
const pool = new pg.Pool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:55432/exp6' });
const q = pool.query.bind(pool);
// @ts-ignore
pool.query = (...a) => { console.log('POOLQ', JSON.stringify(a[0]).slice(0, 150)); return q(...a); };
pool.on('connect', (c) => { const cq = c.query.bind(c); // @ts-ignore
  c.query = (...a) => { console.log('CONNQ', JSON.stringify(a[0]).slice(0, 150)); return cq(...a); }; });
const list = await readMigrationList('/work/main/prisma/migrations');
const schema = await readFile('/work/main/prisma/schema.prisma', 'utf8');
await withSchemaEngine({ schemaFiles: [{ path: 's', content: schema }], pool }, (e) => e.applyMigrations({ migrationsList: list, filters: NO_FILTERS }));
await pool.end();
