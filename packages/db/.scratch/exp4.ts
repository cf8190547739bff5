import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { withSchemaEngine, NO_FILTERS } from '../src/schema-engine.ts';
const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
const schema = await readFile('/work/main/prisma/schema.prisma', 'utf8');
await withSchemaEngine({ schemaFiles: [{ path: 'schema.prisma', content: schema }], pool }, async (engine) => {
  const r = await engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: NO_FILTERS });
  console.log(r.stdout?.length);
  try { await engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: 'model X { id Int @id' }] }, script: true, exitCode: null, filters: NO_FILTERS }); } catch (e) { console.log('ERR', e instanceof Error, e && typeof e === 'object' && Object.keys(e), String(e)); }
});
await pool.end();
