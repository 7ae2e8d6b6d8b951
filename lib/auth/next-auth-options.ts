import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getDb } from '@/db/client';
import { logUnexpected } from '@/lib/errors';
import { stampedClientAddress } from '@/lib/server/client-address';
import { endSession } from '@/lib/users/end-session';
import { SESSION_SECONDS, startSession } from '@/lib/users/start-session';
import { verifyCredentials } from '@/lib/users/verify-credentials';
import { safeCallbackPath } from './safe-callback';

declare module 'next-auth' {
  interface Session {
    uid?: string;
    sv?: number;
    sid?: string;
  }
  interface User {
    sessionVersion?: number;
    sessionId?: string;
  }
}
declare module 'next-auth/jwt' {
  interface JWT {
    uid?: string;
    sv?: number;
    sid?: string;
  }
}

/**
 * next-auth v4, credentials + JWT sessions. The JWT carries only the user id, the session
 * version and the session's id (a user_sessions row opened at sign-in, deleted at sign-out);
 * the role, the disabled flag and the session row are read on every request
 * (lib/users/resolve-session-actor.ts), so they take effect at once.
 */
export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: SESSION_SECONDS },
  pages: { signIn: '/signin', error: '/signin' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, req) {
        let result;
        let sessionId: string | undefined;
        try {
          // The address server.ts stamped (the socket's, or a trusted proxy's X-Forwarded-For).
          result = await verifyCredentials(getDb(), credentials, stampedClientAddress(req.headers));
          if (result.ok) sessionId = (await startSession(getDb(), { userId: result.user.id })).id;
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
        return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion, sessionId };
      },
    }),
  ],
  events: {
    // POST /api/auth/signout (CSRF-checked by next-auth) ends this session on the server, so a
    // copy of the cookie taken before stops working; the user's other sessions go on.
    async signOut({ token }) {
      await endSession(getDb(), { sessionId: token?.sid });
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = user.sessionVersion;
        token.sid = user.sessionId;
      }
      return token;
    },
    session({ session, token }) {
      session.uid = token.uid;
      session.sv = token.sv;
      session.sid = token.sid;
      return session;
    },
    // callbackUrl can never send anyone off-site.
    redirect({ url, baseUrl }) {
      return new URL(safeCallbackPath(url, baseUrl), baseUrl).toString();
    },
  },
};
