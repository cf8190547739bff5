import type { Role, User } from '@pincer/db';
import { roleAllows } from '@pincer/engine';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { sessionUserFromCookies } from './session.ts';

/** The signed-in user of the page being rendered; sends everyone else to the sign-in page. */
export async function requireUser(required: Role = 'viewer'): Promise<User> {
  const user = await sessionUserFromCookies((await cookies()).getAll());
  if (!user) redirect('/signin');
  if (!roleAllows(user.role, required)) redirect('/workflows?forbidden=1');
  return user;
}
