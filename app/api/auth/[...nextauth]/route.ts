import NextAuth from 'next-auth';
import { withLockoutStatus } from '@/lib/auth/lockout-status';
import { authOptions } from '@/lib/auth/next-auth-options';

const handler = withLockoutStatus(NextAuth(authOptions));
export { handler as GET, handler as POST };
