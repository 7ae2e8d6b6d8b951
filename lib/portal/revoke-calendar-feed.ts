import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';

/**
 * Turns the user's calendar feed off: its URL answers 404 from now on. Returns false when there
 * was none (nothing changes, nothing is audited).
 */
export async function revokeCalendarFeed(db: Db, { actor }: { actor: Actor | null }): Promise<boolean> {
  const user = requirePermission(actor, 'portal.use');
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ id: users.id, email: users.email, hash: users.calendarTokenHash }).from(users).where(eq(users.id, user.id)).for('update');
    if (!row) throw new AppError('not_found', { message: 'Your account no longer exists.' });
    if (row.hash === null) return false;
    await tx.update(users).set({ calendarTokenHash: null, updatedAt: new Date() }).where(eq(users.id, row.id));
    await writeAudit(tx, { actor: user, action: 'calendar_feed.revoke', targetType: 'user', targetId: row.id, targetLabel: row.email });
    return true;
  });
}
