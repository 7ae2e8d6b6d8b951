import Link from 'next/link';
import { AuthFrame } from '@/app/_components/auth-frame';
import { buttonClass } from '@/app/_components/ui';

export default function Unauthorized() {
  return (
    <AuthFrame title="Your session has ended" subtitle="Sign in again to continue.">
      <Link href="/signin" className={`${buttonClass('primary')} w-full`}>
        Sign in
      </Link>
    </AuthFrame>
  );
}
