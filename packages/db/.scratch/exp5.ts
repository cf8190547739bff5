import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { withSchemaEngine, NO_FILTERS } from '../src/schema-engine.ts';
const real = process.argv[2] === 'real';
const pool = new pg.Pool({ connectionString: real ? 'postgres://postgres:postgres@127.0.0.1:55432/exp1' : 'postgres://nobody@127.0.0.1:1/none' });
const q = pool.query.bind(pool);
// @ts-ignore
pool.query = (...a) => { console.log('QUERY', JSON.stringify(a[0]).slice(0, 200)); return q(...a); };
const schema = await readFile('/work/main/prisma/schema.prisma', 'utf8');
try {
await withSchemaEngine({ schemaFiles: [{ path: 'schema.prisma', content: schema }], pool }, async (engine) => {
  console.log('engine created');
  try { const r = await engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: NO_FILTERS });
  console.log('diff ok', r.stdout?.length); } catch (e) { console.log('diff ERR', String(e).slice(0,200)); }
  try { await engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: 'model X { id Int @id' }] }, script: true, exitCode: null, filters: NO_FILTERS }); } catch (e) { console.log('ERR', e instanceof Error, e && typeof e === 'object' && Object.keys(e), String(e)); }
});
} catch (e) { console.log('outer', String(e).slice(0, 200)); }
await pool.end();
