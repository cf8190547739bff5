import type { Metadata } from 'next';
import { RunList } from './run-list.tsx';

export const metadata: Metadata = { title: 'Runs' };

export default function RunsPage() {
  return <RunList />;
}
