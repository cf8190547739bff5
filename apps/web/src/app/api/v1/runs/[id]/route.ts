import { endpoints } from '@pincer/api';
import { getRun } from '@pincer/engine';
import { handler } from '../../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.getRun)(async ({ db, params }) => ({
  status: 200,
  body: await getRun(db, params.id),
}));
