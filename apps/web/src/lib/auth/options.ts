import type { Role } from '@pincer/db';
import { AccountError, revokeSession, signIn } from '@pincer/engine';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb, getLog } from '../services.ts';
import { authSecret } from './secret.ts';

const SignIn = z.object({ email: z.string().trim().min(1), password: z.string().min(1) });

/** Sessions last a working week; the role is re-read from the database on every request. */
const SESSION_MAX_AGE_S = 7 * 24 * 3600;
/** Set by src/server.ts from the connection (any copy the client sent is replaced). */
export const CLIENT_ADDRESS_HEADER = 'x-pincer-client-address';

async function checkPassword(raw: unknown, headers: Record<string, unknown> | undefined) {
  const parsed = SignIn.safeParse(raw);
  if (!parsed.success) return null;
  const address = headers?.[CLIENT_ADDRESS_HEADER];
  const signedIn = await signIn(await getDb(), {
    ...parsed.data,
    address: typeof address === 'string' ? address : 'unknown',
    maxAgeMs: SESSION_MAX_AGE_S * 1000,
  });
  if (!signedIn) return null;
  const { user, sessionId } = signedIn;
  return { id: user.id, email: user.email, name: user.name ?? user.email, role: user.role, sessionId };
}

/** next-auth's options: e-mail + password against the users table, JWT sessions. */
export async function authOptions(): Promise<AuthOptions> {
  return {
    secret: await authSecret(),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: '/signin' },
    providers: [
      CredentialsProvider({
        name: 'Pincer',
        credentials: {
          email: { label: 'E-mail', type: 'email' },
          password: { label: 'Password', type: 'password' },
        },
        async authorize(credentials, req) {
          try {
            return await checkPassword(credentials, req.headers);
          } catch (error) {
            // next-auth hands the message to the sign-in form.
            if (error instanceof AccountError) throw new Error(error.message);
            getLog().error({ event: 'sign_in_failed', err: error }, 'sign-in check failed');
            return null;
          }
        },
      }),
    ],
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await revokeSession(await getDb(), token.sid);
      },
    },
    callbacks: {
      jwt({ token, user }) {
        if (user && 'role' in user) token.role = user.role as Role;
        if (user?.sessionId) token.sid = user.sessionId;
        return token;
      },
      session({ session, token }) {
        return { ...session, userId: token.sub, role: token.role };
      },
    },
  };
}
