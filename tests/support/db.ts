import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@pincer/db';
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

/**
 * A run to hang records on (artifacts, steps) in a migrated test database: its owner, a workflow
 * with one empty version, and the run itself. Returns the run's id.
 */
export async function createRunRecord(db: PrismaClient, owner: string): Promise<string> {
  const user = await db.user.create({ data: { email: owner, role: 'owner' } });
  const workflow = await db.workflow.create({
    data: { name: 'files', definition: {}, createdById: user.id },
  });
  const version = await db.workflowVersion.create({
    data: { workflowId: workflow.id, version: 1, definition: {}, checksum: 'x', createdById: user.id },
  });
  const run = await db.run.create({
    data: {
      workflowId: workflow.id,
      workflowVersionId: version.id,
      temporalWorkflowId: `run-${workflow.id}`,
      triggerKind: 'manual',
      actor: 'test',
    },
  });
  return run.id;
}
