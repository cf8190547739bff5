import { readJson } from '../../../../../../lib/api/body.ts';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { startManualRun, waitForFinishedRun } from '../../../../../../lib/api/runs.ts';
import { RunAccepted, RunView } from '../../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.startRun, async ({ request, db, caller, rawParams }) => {
  const { name } = pathParams(api.startRun, api.startRun.params, rawParams);
  const body = await readJson(request, api.startRun.body);
  const temporal = await getTemporal();
  const id = await startManualRun(db, temporal, caller, {
    workflow: name,
    version: body.version,
    input: body.input,
  });
  if (body.wait) return json(RunView, await waitForFinishedRun(db, temporal, id));
  const run = await db.run.findUniqueOrThrow({ where: { id }, select: { status: true } });
  return json(RunAccepted, { id, status: run.status }, 202);
});
