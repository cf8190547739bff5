import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import './provided-context.ts';

/** A fresh, empty database on the test run's PostgreSQL; returns its URL. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const serverUrl = inject('postgresUrl');
  if (!serverUrl) {
    throw new Error(
      'No PostgreSQL in this test run: only the integration project starts one. List this test file in NEEDS_SERVICES in vitest.config.ts.',
    );
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
