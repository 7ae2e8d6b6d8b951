import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { hashPassword } from '@/lib/auth/password';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { loadUser } from './find-user';
import { resetPasswordSchema } from './schemas';
import { clearEmailFailures } from './sign-in-throttle';

export interface ResetPasswordOptions {
  actor: Actor | null;
  userId: string;
  input: { password: string };
}

/** Sets a new password, ends every session the user had and lifts any sign-in lockout. */
export async function resetPassword(db: Db, { actor, userId, input }: ResetPasswordOptions): Promise<void> {
  const admin = requirePermission(actor, 'users.manage');
  const { password } = parseInput(resetPasswordSchema, input);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const user = await loadUser(tx, userId);
    await tx
      .update(users)
      .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
      .where(eq(users.id, user.id));
    // A new password also lifts a lockout from failed sign-ins.
    await clearEmailFailures(tx, user.email);
    // The audit row says that it changed, never what it is.
    await writeAudit(tx, {
      actor: admin,
      action: 'user.reset_password',
      targetType: 'user',
      targetId: user.id,
      targetLabel: user.email,
      before: { password: 'set' },
      after: { password: 'changed', sessionsEnded: true },
    });
  });
}
