import * as api from '../../../../lib/api/endpoints.ts';
import { handler, json } from '../../../../lib/api/handler.ts';
import { NodeCatalog } from '../../../../lib/api/schemas.ts';
import { getRegistry } from '../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.listNodeTypes, async () => {
  const nodes = (await getRegistry()).catalog().map((entry) => ({
    ...entry,
    outputs: entry.outputs === 'dynamic' ? entry.outputs : [...entry.outputs],
  }));
  return json(NodeCatalog, { nodes });
});
