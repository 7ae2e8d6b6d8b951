import type { Metadata } from 'next';
import { AuthFrame } from '@/app/_components/auth-frame';
import { SignOutButton } from './sign-out-button';

export const metadata: Metadata = { title: 'Sign out' };

export default function SignOutPage() {
  return (
    <AuthFrame title="Sign out" subtitle="You will need your password to come back in.">
      <SignOutButton />
    </AuthFrame>
  );
}
