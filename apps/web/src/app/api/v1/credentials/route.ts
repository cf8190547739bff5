import { endpoints } from '@pincer/api';
import { listCredentials } from '@pincer/engine';
import { handler } from '../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.listCredentials)(async ({ db }) => ({
  status: 200,
  body: { credentials: await listCredentials(db) },
}));
