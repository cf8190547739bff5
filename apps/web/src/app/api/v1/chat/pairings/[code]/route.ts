import { endpoints } from '@pincer/api';
import { decidePairing } from '@pincer/engine';
import { handler } from '../../../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.decidePairing)(async ({ db, caller, params, body }) => ({
  status: 200,
  body: await decidePairing(db, { code: params.code, approved: body.approved, actor: caller.actor }),
}));
