import { listRuns } from '@pincer/engine';
import * as api from '../../../../lib/api/endpoints.ts';
import { handler, json, queryParams } from '../../../../lib/api/handler.ts';
import { RunList } from '../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.listRuns, async ({ request, db }) => {
  const filter = queryParams(api.listRuns.query, request);
  return json(RunList, { runs: await listRuns(db, filter) });
});
