import NextAuth from 'next-auth';
import { authOptions } from '../../../../lib/auth/options.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

interface RouteContext {
  params: Promise<{ nextauth: string[] }>;
}

async function handle(request: Request, context: RouteContext): Promise<Response> {
  const authHandler = NextAuth(await authOptions());
  return authHandler(request, { params: await context.params });
}

export { handle as GET, handle as POST };
