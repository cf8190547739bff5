import { type NextRequest, NextResponse } from 'next/server';
import { getToken } from 'next-auth/jwt';
import { authSecret } from './lib/auth/secret.ts';

/**
 * Every studio page needs a session: without one, go to the sign-in page and come back after.
 * Roles are checked where data is read or changed (each tRPC procedure, each page's layout);
 * the REST API (/api/v1) authenticates its own bearer tokens.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const token = await getToken({ req: request, secret: await authSecret() });
  if (token?.sub) return NextResponse.next();
  const signIn = new URL('/signin', request.nextUrl.origin);
  signIn.searchParams.set('callbackUrl', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: [
    '/workflows/:path*',
    '/runs/:path*',
    '/schedules/:path*',
    '/triggers/:path*',
    '/credentials/:path*',
    '/tokens/:path*',
    '/audit/:path*',
    '/models/:path*',
    '/users/:path*',
    '/status/:path*',
  ],
};
