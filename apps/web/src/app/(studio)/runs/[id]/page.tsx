import type { Metadata } from 'next';
import { RunDetail } from './run-detail.tsx';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  return <RunDetail id={(await params).id} />;
}
