import { eq, lt, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { userSessions } from '@/db/schema';
import { isUuid } from '@/lib/ids';

/**
 * Sign-out: deletes this one session's row, so the cookie (and any copy of it) stops working on
 * its next request while the user's other sessions go on; expired rows go in the same statement.
 * "Sign out everywhere" is end-sessions.ts (the user's session version).
 */
export async function endSession(db: Db, { sessionId, now = new Date() }: { sessionId: unknown; now?: Date }): Promise<void> {
  const expired = lt(userSessions.expiresAt, now);
  await db.delete(userSessions).where(isUuid(sessionId) ? or(eq(userSessions.id, sessionId), expired) : expired);
}
