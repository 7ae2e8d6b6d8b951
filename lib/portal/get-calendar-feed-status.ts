import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

/** Whether the user has a calendar feed (its URL cannot be shown again: only its hash is kept). */
export async function getCalendarFeedStatus(db: Db, { actor }: { actor: Actor | null }): Promise<{ active: boolean }> {
  const user = requirePermission(actor, 'portal.use');
  const [row] = await db.select({ hash: users.calendarTokenHash }).from(users).where(eq(users.id, user.id));
  return { active: !!row?.hash };
}
