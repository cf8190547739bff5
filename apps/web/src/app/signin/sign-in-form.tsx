'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { type FormEvent, useState } from 'react';

/**
 * Only paths on this site: a callbackUrl must never send someone elsewhere. The browser's own URL
 * parser decides, as it would when following the link: `/\evil.example` and `/\t/evil.example` are
 * other hosts to it although they start with one slash.
 */
function safeCallback(raw: string | null): string {
  if (!raw?.startsWith('/')) return '/workflows';
  const target = new URL(raw, window.location.origin);
  if (target.origin !== window.location.origin) return '/workflows';
  return `${target.pathname}${target.search}${target.hash}`;
}

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    });
    setPending(false);
    if (result?.ok) {
      router.replace(safeCallback(params.get('callbackUrl')));
      router.refresh();
    } else {
      // A throttled sign-in says when to try again; any other refusal says the same, whoever exists.
      setError(
        result?.error && result.error !== 'CredentialsSignin'
          ? result.error
          : 'That e-mail and password do not match an active user. Check .pincer/initial-admin.txt for the owner.',
      );
    }
  }

  return (
    <form onSubmit={submit} className="form">
      <label>
        E-mail
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      <button type="submit" className="btn primary" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
