import { lt } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { userSessions } from '@/db/schema';

/** How long a session lasts from sign-in (the JWT's maxAge in lib/auth/next-auth-options.ts). */
export const SESSION_SECONDS = 12 * 60 * 60;

/**
 * Opens a session row at sign-in; its id goes into the JWT (`sid`) and is checked on every
 * request (resolve-session-actor.ts). Sessions past their end are pruned here, one indexed
 * delete per sign-in, so the table holds only live sessions and those of the last 12 hours.
 */
export async function startSession(db: Db, { userId, now = new Date() }: { userId: string; now?: Date }): Promise<{ id: string; expiresAt: Date }> {
  await db.delete(userSessions).where(lt(userSessions.expiresAt, now));
  const [row] = await db
    .insert(userSessions)
    .values({ userId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000) })
    .returning({ id: userSessions.id, expiresAt: userSessions.expiresAt });
  return row;
}
