import type { Metadata } from 'next';
import { TokensView } from '../admin-views.tsx';

export const metadata: Metadata = { title: 'API tokens' };

export default function Page() {
  return <TokensView />;
}
