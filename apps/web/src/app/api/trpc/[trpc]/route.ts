import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { NextRequest } from 'next/server';
import { createContext } from '../../../../lib/trpc/init.ts';
import { appRouter } from '../../../../lib/trpc/router.ts';
import { getLog } from '../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

function handle(request: NextRequest): Promise<Response> {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router: appRouter,
    createContext: () => createContext(request),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        getLog().error({ event: 'trpc_failed', path, err: error.cause ?? error }, 'studio API call failed');
    },
  });
}

export { handle as GET, handle as POST };
