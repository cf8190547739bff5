import type { Metadata } from 'next';
import { ModelsView } from '../admin-views.tsx';

export const metadata: Metadata = { title: 'Models' };

export default function Page() {
  return <ModelsView />;
}
