import { listPairings } from '@pincer/engine';
import * as api from '../../../../../lib/api/endpoints.ts';
import { handler, json, queryParams } from '../../../../../lib/api/handler.ts';
import { PairingList } from '../../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.listPairings, async ({ request, db }) => {
  const filter = queryParams(api.listPairings.query, request);
  return json(PairingList, {
    pairings: await listPairings(db, filter.status ? { status: filter.status } : {}),
  });
});
