import type { Metadata } from 'next';
import { Suspense } from 'react';
import '../studio.css';
import { SignInForm } from './sign-in-form.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  return (
    <main className="signin">
      <div className="card signin-card">
        <h1>Sign in to Pincer</h1>
        <p className="muted">
          The first start created an owner: its e-mail and password are in{' '}
          <code>.pincer/initial-admin.txt</code>.
        </p>
        <Suspense>
          <SignInForm />
        </Suspense>
      </div>
    </main>
  );
}
