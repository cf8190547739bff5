import { endpoints } from '@pincer/api';
import { startRun } from '@pincer/engine';
import { handler } from '../../../../../../lib/api/handler.ts';
import { waitForFinishedRun } from '../../../../../../lib/api/runs.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.startRun)(async ({ db, caller, params, body }) => {
  const temporal = await getTemporal();
  const { runId } = await startRun(db, temporal, {
    workflow: params.name,
    ...(body.version !== undefined ? { version: body.version } : {}),
    input: body.input ?? {},
    triggerKind: 'manual',
    actor: caller.actor,
    userId: caller.user.id,
  });
  if (body.wait) return { status: 200, body: await waitForFinishedRun(db, temporal, runId) };
  return { status: 202, body: { id: runId, status: 'queued' } };
});
