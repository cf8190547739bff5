import { decideApproval } from '@pincer/engine';
import { readJson } from '../../../../../../../lib/api/body.ts';
import * as api from '../../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../../lib/api/handler.ts';
import { ApprovalAccepted } from '../../../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.decideApproval, async ({ request, db, caller, rawParams }) => {
  const { id, step } = pathParams(api.decideApproval, api.decideApproval.params, rawParams);
  const { approved, comment } = await readJson(request, api.decideApproval.body);
  await decideApproval(db, await getTemporal(), {
    runId: id,
    step,
    approved,
    actor: caller.actor,
    approver: caller.user.email,
    ...(comment ? { comment } : {}),
  });
  return json(ApprovalAccepted, { id, step, approved }, 202);
});
