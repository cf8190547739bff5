import { redirect } from 'next/navigation';
import { requireUser } from '../lib/auth/server.ts';

export const dynamic = 'force-dynamic';

/** The address `npm start` prints: the workflows when signed in, else the sign-in page. */
export default async function RootPage(): Promise<never> {
  await requireUser('viewer');
  redirect('/workflows');
}
