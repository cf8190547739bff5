import type { Metadata } from 'next';
import { AuditView } from '../admin-views.tsx';

export const metadata: Metadata = { title: 'Audit log' };

export default function Page() {
  return <AuditView />;
}
