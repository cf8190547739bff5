import type { Metadata } from 'next';
import { SchedulesView } from '../admin-views.tsx';

export const metadata: Metadata = { title: 'Schedules' };

export default function Page() {
  return <SchedulesView />;
}
