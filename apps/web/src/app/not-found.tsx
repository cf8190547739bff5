import type { Metadata } from 'next';
import Link from 'next/link';
import { Logo } from './logo.tsx';
import styles from './not-found.module.css';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <main className={styles.page}>
      <Logo size={40} />
      <h1>Page not found</h1>
      <p>There is nothing at this address. The studio is still being built; its pages will appear here.</p>
      <Link href="/">Back to the start page</Link>
    </main>
  );
}
