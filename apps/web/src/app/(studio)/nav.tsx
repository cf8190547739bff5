'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { signOut } from 'next-auth/react';
import type { StudioRole } from '../../components/role.tsx';

const LINKS = [
  { href: '/workflows', label: 'Workflows' },
  { href: '/runs', label: 'Runs' },
  { href: '/triggers', label: 'Triggers & channels' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/credentials', label: 'Credentials' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/audit', label: 'Audit log' },
  { href: '/models', label: 'Models' },
  { href: '/users', label: 'Users', owner: true },
  { href: '/status', label: 'Status', owner: true },
];

export function Nav({ email, role }: { email: string; role: StudioRole }) {
  const pathname = usePathname();
  return (
    <header className="nav">
      <Link href="/workflows" className="nav-brand">
        Pincer
      </Link>
      <nav aria-label="Studio">
        {LINKS.filter((link) => !link.owner || role === 'owner').map((link) => (
          <Link
            key={link.href}
            href={link.href}
            className={pathname.startsWith(link.href) ? 'active' : undefined}
          >
            {link.label}
          </Link>
        ))}
      </nav>
      <div className="nav-user">
        <Link href="/account" title={`${email}: change your password`} data-testid="whoami">
          {email} · {role}
        </Link>
        <button type="button" className="btn ghost small" onClick={() => signOut({ callbackUrl: '/signin' })}>
          Sign out
        </button>
      </div>
    </header>
  );
}
