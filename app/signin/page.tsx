import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthFrame } from '@/app/_components/auth-frame';
import { safeCallbackPath } from '@/lib/auth/safe-callback';
import { getActor } from '@/lib/http/session';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackPath = safeCallbackPath(typeof params.callbackUrl === 'string' ? params.callbackUrl : undefined);
  // Already signed in (and still valid): go where they were heading.
  if (await getActor()) redirect(callbackPath);
  const hadSession = typeof params.callbackUrl === 'string' && params.reason === 'ended';
  return (
    <AuthFrame title="Sign in to Depot" subtitle="Use the email and password your administrator gave you.">
      {hadSession ? (
        <p role="status" className="mb-4 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Your session has ended. Sign in again to continue.
        </p>
      ) : null}
      <SignInForm callbackPath={callbackPath} />
    </AuthFrame>
  );
}
