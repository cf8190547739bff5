import type { Metadata } from 'next';
import { TriggersView } from './triggers-view.tsx';

export const metadata: Metadata = { title: 'Triggers & channels' };

export default function Page() {
  return <TriggersView />;
}
