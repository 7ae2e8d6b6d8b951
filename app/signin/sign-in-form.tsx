'use client';

import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { buttonClass, inputClass } from '@/app/_components/ui';

export function SignInForm({ callbackPath }: { callbackPath: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn('credentials', {
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        redirect: false,
      });
      if (result?.error?.startsWith('locked:')) {
        const until = new Date(result.error.slice('locked:'.length));
        setError(`Too many failed sign-ins for this email. Try again after ${until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}, or ask an administrator to reset the password.`);
        setPending(false);
        return;
      }
      if (result?.error === 'unavailable') {
        setError('Depot cannot check sign-ins right now. Try again in a minute, or tell your administrator.');
        setPending(false);
        return;
      }
      if (!result || result.error) {
        setError('That email and password do not match an active account. Check them and try again.');
        setPending(false);
        return;
      }
      // A full navigation, so every server component renders with the new session.
      window.location.assign(callbackPath);
    } catch {
      setError('Depot could not be reached. Check your connection and try again.');
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error ? (
        <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700">
          {error}
        </p>
      ) : null}
      <div>
        <label htmlFor="email" className="mb-1 block text-sm font-medium text-slate-700">
          Email
        </label>
        <input id="email" name="email" type="email" autoComplete="username" required autoFocus className={inputClass} />
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium text-slate-700">
          Password
        </label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className={inputClass} />
      </div>
      <button type="submit" disabled={pending} className={`${buttonClass('primary')} w-full`}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
