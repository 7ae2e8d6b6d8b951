import Link from 'next/link';
import { AuthFrame } from '@/app/_components/auth-frame';
import { buttonClass } from '@/app/_components/ui';

export default function Forbidden() {
  return (
    <AuthFrame title="You do not have access to this page" subtitle="Your role does not include it. If you need it, ask a Depot admin to change your role.">
      <div className="flex gap-3">
        <Link href="/" className={`${buttonClass('primary')} flex-1`}>
          Go to my start page
        </Link>
        <Link href="/signout" className={`${buttonClass('secondary')} flex-1`}>
          Switch account
        </Link>
      </div>
    </AuthFrame>
  );
}
