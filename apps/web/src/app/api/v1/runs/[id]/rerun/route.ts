import { endpoints } from '@pincer/api';
import { rerunRun } from '@pincer/engine';
import { handler } from '../../../../../../lib/api/handler.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.rerunRun)(async ({ db, caller, params, body }) => {
  const started = await rerunRun(db, await getTemporal(), {
    runId: params.id,
    actor: caller.actor,
    userId: caller.user.id,
    ...(body.fromStep ? { fromStep: body.fromStep } : {}),
  });
  return { status: 202, body: { id: started.runId, status: 'queued' } };
});
