import { endpoints } from '@pincer/api';
import { EngineError, rotateWebhookSecret } from '@pincer/engine';
import { ApiError } from '../../../../../../lib/api/errors.ts';
import { handler } from '../../../../../../lib/api/handler.ts';
import { hookUrl } from '../../../../../../lib/api/workflows.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.rotateWebhookSecret)(async ({ db, caller, params }) => {
  const rotated = await rotateWebhookSecret(db, params.id, caller.actor).catch((error: unknown) => {
    // The same code as the webhook itself answers for an unknown id.
    if (error instanceof EngineError && error.code === 'trigger_not_found')
      throw new ApiError(404, 'webhook_not_found', error.message);
    throw error;
  });
  return { status: 200, body: { ...rotated, url: hookUrl(rotated.id) } };
});
