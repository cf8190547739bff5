import { listSchedules } from '@pincer/engine';
import * as api from '../../../../lib/api/endpoints.ts';
import { handler, json } from '../../../../lib/api/handler.ts';
import { ScheduleList } from '../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.listSchedules, async ({ db }) =>
  json(ScheduleList, { schedules: await listSchedules(db) }),
);
