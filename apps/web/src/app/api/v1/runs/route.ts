import { endpoints } from '@pincer/api';
import { listRuns } from '@pincer/engine';
import { handler } from '../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.listRuns)(async ({ db, query }) => ({
  status: 200,
  body: { runs: await listRuns(db, query) },
}));
