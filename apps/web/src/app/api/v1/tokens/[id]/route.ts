import { endpoints } from '@pincer/api';
import { revokeApiToken } from '@pincer/engine';
import { handler } from '../../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const DELETE = handler(endpoints.revokeToken)(async ({ db, caller, params }) => {
  await revokeApiToken(db, { id: params.id, actor: caller.actor });
  return { status: 204 };
});
