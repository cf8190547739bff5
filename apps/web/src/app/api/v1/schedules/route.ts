import { endpoints } from '@pincer/api';
import { listSchedules } from '@pincer/engine';
import { handler } from '../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.listSchedules)(async ({ db }) => ({
  status: 200,
  body: { schedules: await listSchedules(db) },
}));
