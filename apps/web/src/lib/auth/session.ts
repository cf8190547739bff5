import type { User } from '@pincer/db';
import { sessionUser as liveSessionUser } from '@pincer/engine';
import { decode, getToken, type JWT } from 'next-auth/jwt';
import { getDb } from '../services.ts';
import { authSecret } from './secret.ts';

/** The cookies next-auth reads, from any request shape. */
type CookieRequest = Parameters<typeof getToken>[0]['req'];

const COOKIE_NAMES = ['__Secure-next-auth.session-token', 'next-auth.session-token'];

/** The user of a session still live: not signed out, not revoked by a password change or disabling. */
async function userOf(token: JWT | null): Promise<User | null> {
  if (!token?.sub || typeof token.sid !== 'string') return null;
  return liveSessionUser(await getDb(), token.sid, token.sub);
}

/** The signed-in user behind a request's session cookie, read fresh (disabled users have none). */
export async function sessionUser(req: CookieRequest): Promise<User | null> {
  return userOf(await getToken({ req, secret: await authSecret() }));
}

/** The same from a page's cookie jar (next-auth splits big tokens into `.0`, `.1`… chunks). */
export async function sessionUserFromCookies(
  cookies: { name: string; value: string }[],
): Promise<User | null> {
  for (const base of COOKIE_NAMES) {
    const parts = cookies
      .filter((cookie) => cookie.name === base || cookie.name.startsWith(`${base}.`))
      .sort((a, b) => Number(a.name.split('.').pop()) - Number(b.name.split('.').pop()));
    if (parts.length === 0) continue;
    const token = await decode({
      token: parts.map((part) => part.value).join(''),
      secret: await authSecret(),
    }).catch(() => null);
    return userOf(token);
  }
  return null;
}

export function userActor(user: Pick<User, 'email'>): string {
  return `user:${user.email}`;
}
