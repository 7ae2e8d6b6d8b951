import 'server-only';
import { headers } from 'next/headers';
import { cache } from 'react';
import { getServerSession } from 'next-auth';
import { getDb } from '@/db/client';
import { authOptions } from '@/lib/auth/next-auth-options';
import type { Actor } from '@/lib/auth/permissions';
import { bearerToken, resolveTokenActor } from '@/lib/tokens/resolve-token-actor';
import { resolveSessionActor } from '@/lib/users/resolve-session-actor';

/**
 * The actor of this request, or null: an API token when the request carries
 * `Authorization: Bearer …` (a bad token is null, never a fallback to the cookie), else the
 * signed-in session. Cached per request (layout and page share it).
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const authorization = (await headers()).get('authorization');
  if (authorization) {
    const token = bearerToken(authorization);
    return token ? resolveTokenActor(getDb(), token) : null;
  }
  const session = await getServerSession(authOptions);
  if (!session) return null;
  return resolveSessionActor(getDb(), { uid: session.uid, sv: session.sv, sid: session.sid });
});
