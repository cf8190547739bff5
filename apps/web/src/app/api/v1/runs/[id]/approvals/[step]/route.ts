import { decideApproval } from '@pincer/engine';
import { readJson } from '../../../../../../../lib/api/body.ts';
import * as api from '../../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../../lib/api/handler.ts';
import { assertMayApprove } from '../../../../../../../lib/api/runs.ts';
import { ApprovalAccepted } from '../../../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.decideApproval, async ({ request, db, caller, rawParams }) => {
  const { id, step } = pathParams(api.decideApproval, api.decideApproval.params, rawParams);
  const { approved, comment } = await readJson(request, api.decideApproval.body);
  await assertMayApprove(db, caller, id, step);
  await decideApproval(db, await getTemporal(), {
    runId: id,
    step,
    approved,
    actor: caller.actor,
    ...(comment ? { comment } : {}),
  });
  return json(ApprovalAccepted, { id, step, approved }, 202);
});
