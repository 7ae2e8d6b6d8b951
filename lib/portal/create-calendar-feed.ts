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
 * never the token. `intent` is what the caller's page showed: "create" from a page that saw no
 * feed is refused (409) when a feed exists by now (another tab made one), so a stale button cannot
 * kill a URL the user's calendars already use. Without it (the JSON API) it creates or replaces.
 */
export async function createCalendarFeed(db: Db, { actor, intent }: { actor: Actor | null; intent?: 'create' | 'replace' }): Promise<CreatedCalendarFeed> {
  const user = requirePermission(actor, 'portal.use');
  const { token, hash } = newCalendarToken();
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ id: users.id, email: users.email, hash: users.calendarTokenHash }).from(users).where(eq(users.id, user.id)).for('update');
    if (!row) throw new AppError('not_found', { message: 'Your account no longer exists.' });
    const replaced = row.hash !== null;
    if (replaced && intent === 'create') {
      throw new AppError('conflict', { message: 'You already have a calendar feed (made in another window?): reload the page, then choose “Replace calendar feed URL” if you want a new one; the old URL then stops working.' });
    }
    await tx.update(users).set({ calendarTokenHash: hash, updatedAt: new Date() }).where(eq(users.id, row.id));
    await writeAudit(tx, { actor: user, action: replaced ? 'calendar_feed.replace' : 'calendar_feed.create', targetType: 'user', targetId: row.id, targetLabel: row.email });
    return { path: calendarFeedPath(token), replaced };
  });
}
