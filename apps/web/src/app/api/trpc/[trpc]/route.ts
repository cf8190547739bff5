import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { NextRequest } from 'next/server';
import { getLog } from '../../../../lib/services.ts';
import { type Context, createContext } from '../../../../lib/trpc/init.ts';
import { appRouter } from '../../../../lib/trpc/router.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const ENDPOINT = '/api/trpc';
const SIGN_IN = 'Sign in to the studio first.';

/**
 * Subscriptions answer over an event stream whose status is sent before the procedure runs: refuse
 * one without a session up front, with the same 401 that queries and mutations get.
 */
function refusedSubscription(request: NextRequest, context: Context): Response | undefined {
  if (context.user) return undefined;
  const path = request.nextUrl.pathname.slice(ENDPOINT.length + 1);
  const procedure = Reflect.get(appRouter._def.procedures, path);
  if (procedure?._def.type !== 'subscription') return undefined;
  return Response.json(
    { error: { message: SIGN_IN, code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401, path } } },
    { status: 401 },
  );
}

async function handle(request: NextRequest): Promise<Response> {
  const context = await createContext(request);
  return (
    refusedSubscription(request, context) ??
    fetchRequestHandler({
      endpoint: ENDPOINT,
      req: request,
      router: appRouter,
      createContext: () => context,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          getLog().error({ event: 'trpc_failed', path, err: error.cause ?? error }, 'studio API call failed');
      },
    })
  );
}

export { handle as GET, handle as POST };
