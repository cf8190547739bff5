import { getRun } from '@pincer/engine';
import * as api from '../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../lib/api/handler.ts';
import { RunView } from '../../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.getRun, async ({ db, rawParams }) => {
  const { id } = pathParams(api.getRun, api.getRun.params, rawParams);
  return json(RunView, await getRun(db, id));
});
