import { decidePairing } from '@pincer/engine';
import { readJson } from '../../../../../../lib/api/body.ts';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../../lib/api/handler.ts';
import { Pairing } from '../../../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.decidePairing, async ({ request, db, caller, rawParams }) => {
  const { code } = pathParams(api.decidePairing, api.decidePairing.params, rawParams);
  const { approved } = await readJson(request, api.decidePairing.body);
  return json(Pairing, await decidePairing(db, { code, approved, actor: caller.actor }));
});
