import { archiveWorkflow, exportWorkflowYaml } from '@pincer/engine';
import { readDefinition } from '../../../../../lib/api/body.ts';
import * as api from '../../../../../lib/api/endpoints.ts';
import { handler, json, noContent, pathParams, queryParams } from '../../../../../lib/api/handler.ts';
import { SavedWorkflow, WorkflowDetail } from '../../../../../lib/api/schemas.ts';
import { savedAnswer, storeDefinition, workflowDetail } from '../../../../../lib/api/workflows.ts';
import { getRegistry } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.getWorkflow, async ({ request, db, rawParams }) => {
  const { name } = pathParams(api.getWorkflow, api.getWorkflow.params, rawParams);
  const { format, version } = queryParams(api.getWorkflow.query, request);
  if (format === 'yaml') {
    const yaml = await exportWorkflowYaml(db, await getRegistry(), name, version);
    return new Response(yaml, {
      headers: { 'Content-Type': 'application/yaml; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  return json(WorkflowDetail, await workflowDetail(db, name, version));
});

export const PUT = handler(api.updateWorkflow, async ({ request, db, caller, rawParams }) => {
  const { name } = pathParams(api.updateWorkflow, api.updateWorkflow.params, rawParams);
  const saved = await storeDefinition(db, caller, await readDefinition(request), name);
  return json(SavedWorkflow, savedAnswer(saved), saved.created ? 201 : 200);
});

export const DELETE = handler(api.archiveWorkflow, async ({ db, caller, rawParams }) => {
  const { name } = pathParams(api.archiveWorkflow, api.archiveWorkflow.params, rawParams);
  await archiveWorkflow(db, name, caller.actor);
  return noContent();
});
