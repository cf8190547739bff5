import { endpoints } from '@pincer/api';
import { listPairings } from '@pincer/engine';
import { handler } from '../../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.listPairings)(async ({ db, query }) => ({
  status: 200,
  body: { pairings: await listPairings(db, query.status ? { status: query.status } : {}) },
}));
