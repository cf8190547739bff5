import type { Metadata } from 'next';
import { requireUser } from '../../../lib/auth/server.ts';
import { UsersView } from '../admin-views.tsx';

export const metadata: Metadata = { title: 'Users' };

export default async function Page() {
  await requireUser('owner');
  return <UsersView />;
}
