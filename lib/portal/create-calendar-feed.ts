import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { calendarFeedPath, newCalendarToken } from './calendar-token';

export interface CreatedCalendarFeed {
  /** `/calendar/<token>.ics`: shown once; only the token's hash is kept. */
  path: string;
  /** A feed URL existed and stops working now. */
  replaced: boolean;
}

/**
 * Creates the user's private calendar feed, or replaces it: a new token, whose hash overwrites the
 * old one, so the old URL is dead the moment this commits. The audit row records that it happened,
 * never the token.
 */
export async function createCalendarFeed(db: Db, { actor }: { actor: Actor | null }): Promise<CreatedCalendarFeed> {
  const user = requirePermission(actor, 'portal.use');
  const { token, hash } = newCalendarToken();
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ id: users.id, email: users.email, hash: users.calendarTokenHash }).from(users).where(eq(users.id, user.id)).for('update');
    if (!row) throw new AppError('not_found', { message: 'Your account no longer exists.' });
    const replaced = row.hash !== null;
    await tx.update(users).set({ calendarTokenHash: hash, updatedAt: new Date() }).where(eq(users.id, row.id));
    await writeAudit(tx, { actor: user, action: replaced ? 'calendar_feed.replace' : 'calendar_feed.create', targetType: 'user', targetId: row.id, targetLabel: row.email });
    return { path: calendarFeedPath(token), replaced };
  });
}
