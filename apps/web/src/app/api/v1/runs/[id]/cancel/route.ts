import { endpoints } from '@pincer/api';
import { cancelRun } from '@pincer/engine';
import { handler } from '../../../../../../lib/api/handler.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.cancelRun)(async ({ db, caller, params }) => ({
  status: 202,
  body: await cancelRun(db, await getTemporal(), params.id, caller.actor),
}));
