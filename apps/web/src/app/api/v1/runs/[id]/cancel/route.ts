import { cancelRun, getRun } from '@pincer/engine';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { ApiError } from '../../../../../../lib/api/errors.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { isFinished } from '../../../../../../lib/api/runs.ts';
import { RunAccepted } from '../../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.cancelRun, async ({ db, caller, rawParams }) => {
  const { id } = pathParams(api.cancelRun, api.cancelRun.params, rawParams);
  const run = await getRun(db, id);
  if (isFinished(run.status)) {
    throw new ApiError(
      409,
      'run_finished',
      `Run ${id} has already finished (${run.status}): there is nothing to cancel.`,
    );
  }
  await cancelRun(db, await getTemporal(), id, caller.actor);
  return json(RunAccepted, { id, status: run.status }, 202);
});
