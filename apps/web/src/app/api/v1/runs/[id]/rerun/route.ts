import { rerunRun } from '@pincer/engine';
import { readJson } from '../../../../../../lib/api/body.ts';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { RunAccepted } from '../../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.rerunRun, async ({ request, db, caller, rawParams }) => {
  const { id } = pathParams(api.rerunRun, api.rerunRun.params, rawParams);
  const { fromStep } = await readJson(request, api.rerunRun.body);
  const started = await rerunRun(db, await getTemporal(), {
    runId: id,
    actor: caller.actor,
    userId: caller.user.id,
    ...(fromStep ? { fromStep } : {}),
  });
  return json(RunAccepted, { id: started.runId, status: 'queued' }, 202);
});
