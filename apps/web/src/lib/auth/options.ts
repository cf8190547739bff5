import { type Role, verifyPassword } from '@pincer/db';
import { audit } from '@pincer/engine';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb, getLog } from '../services.ts';
import { authSecret } from './secret.ts';

const SignIn = z.object({ email: z.string().trim().min(1), password: z.string().min(1) });

/** Sessions last a working week; the role is re-read from the database on every request. */
const SESSION_MAX_AGE_S = 7 * 24 * 3600;

async function checkPassword(raw: unknown) {
  const parsed = SignIn.safeParse(raw);
  if (!parsed.success) return null;
  const db = await getDb();
  const user = await db.user.findUnique({ where: { email: parsed.data.email.toLowerCase() } });
  if (!user?.passwordHash || user.disabledAt) return null;
  if (!(await verifyPassword(parsed.data.password, user.passwordHash))) return null;
  await audit(db, { actor: `user:${user.email}`, action: 'user.signed_in', targetId: user.id });
  return { id: user.id, email: user.email, name: user.name ?? user.email, role: user.role };
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
        async authorize(credentials) {
          try {
            return await checkPassword(credentials);
          } catch (error) {
            getLog().error({ event: 'sign_in_failed', err: error }, 'sign-in check failed');
            return null;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user && 'role' in user) token.role = user.role as Role;
        return token;
      },
      session({ session, token }) {
        return { ...session, userId: token.sub, role: token.role };
      },
    },
  };
}
