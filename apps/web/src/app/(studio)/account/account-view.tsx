'use client';

import { useMutation } from '@tanstack/react-query';
import { signOut } from 'next-auth/react';
import type { FormEvent } from 'react';
import { useTRPC } from '../../../lib/trpc/client.tsx';

/** The signed-in user's own account: a new password ends every session, this one too. */
export function AccountView({ email }: { email: string }) {
  const trpc = useTRPC();
  const change = useMutation(
    trpc.users.changePassword.mutationOptions({
      onSuccess: () => signOut({ callbackUrl: '/signin' }),
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    change.mutate({ current: String(form.get('current')), password: String(form.get('password')) });
  }
  return (
    <section>
      <div className="page-head">
        <h1>Account</h1>
      </div>
      <p className="muted">
        Signed in as <strong>{email}</strong>. A new password signs you out everywhere, here too: sign in
        again with it.
      </p>
      <form className="form" onSubmit={submit} aria-label="Change password">
        <label>
          Current password
          <input name="current" type="password" autoComplete="current-password" required />
        </label>
        <label>
          New password
          <input name="password" type="password" autoComplete="new-password" minLength={8} required />
        </label>
        <button type="submit" className="btn primary" disabled={change.isPending}>
          Change password
        </button>
      </form>
      {change.error && (
        <p role="alert" className="error-text">
          {change.error.message}
        </p>
      )}
    </section>
  );
}
