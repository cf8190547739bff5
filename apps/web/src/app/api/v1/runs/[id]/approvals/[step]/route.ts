import { endpoints } from '@pincer/api';
import { decideApproval } from '@pincer/engine';
import { handler } from '../../../../../../../lib/api/handler.ts';
import { getTemporal } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.decideApproval)(async ({ db, caller, params, body }) => {
  await decideApproval(db, await getTemporal(), {
    runId: params.id,
    step: params.step,
    approved: body.approved,
    actor: caller.actor,
    approver: caller.user.email,
    ...(body.comment ? { comment: body.comment } : {}),
  });
  return { status: 202, body: { ...params, approved: body.approved } };
});
