import { EngineError, rotateWebhookSecret } from '@pincer/engine';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { ApiError } from '../../../../../../lib/api/errors.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { WebhookSecret } from '../../../../../../lib/api/schemas.ts';
import { getConfig } from '../../../../../../lib/config.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.rotateWebhookSecret, async ({ db, caller, rawParams }) => {
  const { id } = pathParams(api.rotateWebhookSecret, api.rotateWebhookSecret.params, rawParams);
  const rotated = await rotateWebhookSecret(db, id, caller.actor).catch((error: unknown) => {
    // The same code as the webhook itself answers for an unknown id.
    if (error instanceof EngineError && error.code === 'trigger_not_found')
      throw new ApiError(404, 'webhook_not_found', error.message);
    throw error;
  });
  const url = `${getConfig().server.publicUrl}/api/v1/hooks/${rotated.id}`;
  return json(WebhookSecret, { ...rotated, url });
});
