import { revokeApiToken } from '@pincer/engine';
import * as api from '../../../../../lib/api/endpoints.ts';
import { handler, noContent, pathParams } from '../../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const DELETE = handler(api.revokeToken, async ({ db, caller, rawParams }) => {
  const { id } = pathParams(api.revokeToken, api.revokeToken.params, rawParams);
  await revokeApiToken(db, { id, actor: caller.actor });
  return noContent();
});
