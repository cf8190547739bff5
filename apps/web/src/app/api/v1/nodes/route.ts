import { endpoints } from '@pincer/api';
import { handler } from '../../../../lib/api/handler.ts';
import { getRegistry } from '../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(endpoints.listNodeTypes)(async () => {
  const nodes = (await getRegistry()).catalog().map((entry) => ({
    ...entry,
    outputs: entry.outputs === 'dynamic' ? entry.outputs : [...entry.outputs],
  }));
  return { status: 200, body: { nodes } };
});
