import { endpoints } from '@pincer/api';
import { describeSchedule } from '@pincer/engine';
import { handler } from '../../../../../lib/api/handler.ts';
import { getTemporal } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.getSchedule)(async ({ db, params }) => ({
  status: 200,
  body: await describeSchedule(db, await getTemporal(), params.id),
}));
