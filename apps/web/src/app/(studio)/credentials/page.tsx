import type { Metadata } from 'next';
import { CredentialsView } from '../admin-views.tsx';

export const metadata: Metadata = { title: 'Credentials' };

export default function Page() {
  return <CredentialsView />;
}
