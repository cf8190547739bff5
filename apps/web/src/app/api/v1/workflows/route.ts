import { endpoints } from '@pincer/api';
import { listWorkflows } from '@pincer/engine';
import { handler } from '../../../../lib/api/handler.ts';
import { importDefinition } from '../../../../lib/api/workflows.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.listWorkflows)(async ({ db }) => ({
  status: 200,
  body: { workflows: await listWorkflows(db) },
}));

export const POST = handler(endpoints.createWorkflow)(async ({ db, caller, body }) => {
  const saved = await importDefinition(db, caller, body);
  return saved.created ? { status: 201, body: saved } : { status: 200, body: saved };
});
