import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, userSessions } from '@/db/schema';
import type { Actor } from '@/lib/auth/permissions';
import { isUuid } from '@/lib/ids';

/**
 * The signed-in actor behind a session token, read from the rows on every request: a session
 * that was signed out (its user_sessions row is gone or past its end), a disabled user, or one
 * whose session version moved on (password reset, "end sessions") is signed out at once, and a
 * role change applies to the very next request. Two primary-key lookups in one join.
 */
export async function resolveSessionActor(db: Db, token: { uid?: unknown; sv?: unknown; sid?: unknown }, now = new Date()): Promise<Actor | null> {
  if (!isUuid(token.uid) || typeof token.sv !== 'number' || !isUuid(token.sid)) return null;
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabled: users.disabled, sv: users.sessionVersion })
    .from(users)
    .innerJoin(userSessions, and(eq(userSessions.id, token.sid), eq(userSessions.userId, users.id), gt(userSessions.expiresAt, now)))
    .where(eq(users.id, token.uid))
    .limit(1);
  if (!user || user.disabled || user.sv !== token.sv) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
