import { endpoints } from '@pincer/api';
import { archiveWorkflow, exportWorkflowYaml, workflowDetail } from '@pincer/engine';
import { handler } from '../../../../../lib/api/handler.ts';
import { importDefinition } from '../../../../../lib/api/workflows.ts';
import { getRegistry } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.getWorkflow)(async ({ db, params, query }) => {
  if (query.format === 'yaml') {
    const yaml = await exportWorkflowYaml(db, await getRegistry(), params.name, query.version);
    return new Response(yaml, {
      headers: { 'Content-Type': 'application/yaml; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  return { status: 200, body: await workflowDetail(db, params.name, query.version) };
});

export const PUT = handler(endpoints.updateWorkflow)(async ({ db, caller, params, body }) => {
  const saved = await importDefinition(db, caller, body, params.name);
  return saved.created ? { status: 201, body: saved } : { status: 200, body: saved };
});

export const DELETE = handler(endpoints.archiveWorkflow)(async ({ db, caller, params }) => {
  await archiveWorkflow(db, params.name, caller.actor);
  return { status: 204 };
});
