import { listWorkflows } from '@pincer/engine';
import { readDefinition } from '../../../../lib/api/body.ts';
import * as api from '../../../../lib/api/endpoints.ts';
import { handler, json } from '../../../../lib/api/handler.ts';
import { SavedWorkflow, WorkflowList } from '../../../../lib/api/schemas.ts';
import { savedAnswer, storeDefinition } from '../../../../lib/api/workflows.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.listWorkflows, async ({ db }) =>
  json(WorkflowList, { workflows: await listWorkflows(db) }),
);

export const POST = handler(api.createWorkflow, async ({ request, db, caller }) => {
  const saved = await storeDefinition(db, caller, await readDefinition(request));
  return json(SavedWorkflow, savedAnswer(saved), saved.created ? 201 : 200);
});
