import 'server-only';
import { cache } from 'react';
import { getServerSession } from 'next-auth';
import { getDb } from '@/db/client';
import { authOptions } from '@/lib/auth/next-auth-options';
import type { Actor } from '@/lib/auth/permissions';
import { resolveSessionActor } from '@/lib/users/resolve-session-actor';

/** The signed-in actor of this request, or null. Cached per request (layout and page share it). */
export const getActor = cache(async (): Promise<Actor | null> => {
  const session = await getServerSession(authOptions);
  if (!session) return null;
  return resolveSessionActor(getDb(), { uid: session.uid, sv: session.sv });
});
