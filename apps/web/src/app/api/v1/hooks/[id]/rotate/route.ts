import { rotateWebhookSecret } from '@pincer/engine';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { WebhookSecret } from '../../../../../../lib/api/schemas.ts';
import { getConfig } from '../../../../../../lib/config.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.rotateWebhookSecret, async ({ db, caller, rawParams }) => {
  const { id } = pathParams(api.rotateWebhookSecret, api.rotateWebhookSecret.params, rawParams);
  const rotated = await rotateWebhookSecret(db, id, caller.actor);
  const url = `${getConfig().server.publicUrl}/api/v1/hooks/${rotated.id}`;
  return json(WebhookSecret, { ...rotated, url });
});
