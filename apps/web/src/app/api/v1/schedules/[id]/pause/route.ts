import { describeSchedule, setSchedulePaused } from '@pincer/engine';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { ScheduleDetail } from '../../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.pauseSchedule, async ({ db, caller, rawParams }) => {
  const { id } = pathParams(api.pauseSchedule, api.pauseSchedule.params, rawParams);
  const temporal = await getTemporal();
  await setSchedulePaused(db, temporal, id, true, caller.actor);
  return json(ScheduleDetail, await describeSchedule(db, temporal, id));
});
