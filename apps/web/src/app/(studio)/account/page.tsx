import type { Metadata } from 'next';
import { requireUser } from '../../../lib/auth/server.ts';
import { AccountView } from './account-view.tsx';

export const metadata: Metadata = { title: 'Account' };

export default async function Page() {
  const user = await requireUser();
  return <AccountView email={user.email} />;
}
