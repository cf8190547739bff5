import { describeSchedule } from '@pincer/engine';
import * as api from '../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../lib/api/handler.ts';
import { ScheduleDetail } from '../../../../../lib/api/schemas.ts';
import { getTemporal } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.getSchedule, async ({ db, rawParams }) => {
  const { id } = pathParams(api.getSchedule, api.getSchedule.params, rawParams);
  return json(ScheduleDetail, await describeSchedule(db, await getTemporal(), id));
});
