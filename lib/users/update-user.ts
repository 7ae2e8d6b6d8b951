import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { loadUser, lockActiveAdmins } from './find-user';
import { auditView, toPublicUser, type PublicUser } from './public-user';
import { updateUserSchema, type UpdateUserInput } from './schemas';

export interface UpdateUserOptions {
  actor: Actor | null;
  userId: string;
  input: UpdateUserInput;
}

/**
 * Renames, changes the role of, disables or re-enables a user. Disabling bumps the session
 * version so the user is signed out on their very next request; a role change needs no bump
 * because every request reads the role from this row.
 */
export async function updateUser(db: Db, { actor, userId, input }: UpdateUserOptions): Promise<PublicUser> {
  const admin = requirePermission(actor, 'users.manage');
  const change = parseInput(updateUserSchema, input);
  return db.transaction(async (tx) => {
    const admins = change.role !== undefined || change.disabled !== undefined ? await lockActiveAdmins(tx) : [];
    const before = await loadUser(tx, userId, { forUpdate: true });
    const losesAdmin =
      before.role === 'admin' && !before.disabled && ((change.role && change.role !== 'admin') || change.disabled === true);
    if (losesAdmin && before.id === admin.id) {
      throw new AppError('conflict', {
        field: change.disabled ? 'disabled' : 'role',
        message: change.disabled ? 'You cannot disable your own account.' : 'You cannot remove your own admin role.',
      });
    }
    if (losesAdmin && admins.every((id) => id === before.id)) {
      throw new AppError('conflict', {
        field: change.disabled ? 'disabled' : 'role',
        message: `${before.email} is the last active admin; make someone else an admin first.`,
      });
    }
    const disabling = change.disabled === true && !before.disabled;
    const [after] = await tx
      .update(users)
      .set({
        ...change,
        updatedAt: new Date(),
        ...(disabling ? { sessionVersion: sql`${users.sessionVersion} + 1` } : {}),
      })
      .where(eq(users.id, before.id))
      .returning();
    await writeAudit(tx, {
      actor: admin,
      action: disabling ? 'user.disable' : change.disabled === false && before.disabled ? 'user.enable' : 'user.update',
      targetType: 'user',
      targetId: after.id,
      targetLabel: after.email,
      before: auditView(before),
      after: auditView(after),
    });
    return toPublicUser(after);
  });
}
