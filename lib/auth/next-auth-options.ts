import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getDb } from '@/db/client';
import { logUnexpected } from '@/lib/errors';
import { verifyCredentials } from '@/lib/users/verify-credentials';
import { safeCallbackPath } from './safe-callback';

declare module 'next-auth' {
  interface Session {
    uid?: string;
    sv?: number;
  }
  interface User {
    sessionVersion?: number;
  }
}
declare module 'next-auth/jwt' {
  interface JWT {
    uid?: string;
    sv?: number;
  }
}

/**
 * next-auth v4, credentials + JWT sessions. The JWT carries only the user id and the session
 * version; the role and the disabled flag are read from the users row on every request
 * (lib/users/resolve-session-actor.ts), so they take effect at once.
 */
export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/signin', error: '/signin' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        let result;
        try {
          result = await verifyCredentials(getDb(), credentials);
        } catch (error) {
          // next-auth would put this message in the redirect URL it returns to the browser, and
          // the form would call it a wrong password: log it with an id, say "unavailable".
          logUnexpected(crypto.randomUUID().slice(0, 8), error);
          throw new Error('unavailable');
        }
        // next-auth hands an error's message to the page as its error code.
        if (!result.ok && result.lockedUntil) throw new Error(`locked:${result.lockedUntil.toISOString()}`);
        if (!result.ok) return null;
        const { user } = result;
        return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = user.sessionVersion;
      }
      return token;
    },
    session({ session, token }) {
      session.uid = token.uid;
      session.sv = token.sv;
      return session;
    },
    // callbackUrl can never send anyone off-site.
    redirect({ url, baseUrl }) {
      return new URL(safeCallbackPath(url, baseUrl), baseUrl).toString();
    },
  },
};
