import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { loadUser } from './find-user';

export interface EndSessionsOptions {
  actor: Actor | null;
  userId: string;
}

/** Signs the user out everywhere on their next request, without disabling them. */
export async function endSessions(db: Db, { actor, userId }: EndSessionsOptions): Promise<void> {
  const admin = requirePermission(actor, 'users.manage');
  await db.transaction(async (tx) => {
    const user = await loadUser(tx, userId);
    await tx
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
      .where(eq(users.id, user.id));
    await writeAudit(tx, {
      actor: admin,
      action: 'user.end_sessions',
      targetType: 'user',
      targetId: user.id,
      targetLabel: user.email,
    });
  });
}
