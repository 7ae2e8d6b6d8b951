import Link from 'next/link';
import { AuthFrame } from '@/app/_components/auth-frame';
import { buttonClass } from '@/app/_components/ui';

export default function NotFound() {
  return (
    <AuthFrame title="Page not found" subtitle="The page you asked for does not exist, or you cannot see it.">
      <Link href="/" className={`${buttonClass('primary')} w-full`}>
        Go to my start page
      </Link>
    </AuthFrame>
  );
}
