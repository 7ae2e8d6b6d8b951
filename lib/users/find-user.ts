import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { userIdSchema } from './schemas';

/** The user row, or not_found (an id that is not even a uuid is simply not found). */
export async function loadUser(db: Db, userId: string, options: { forUpdate?: boolean } = {}): Promise<User> {
  if (!userIdSchema.safeParse(userId).success) throw new AppError('not_found', { message: 'No such user.' });
  const query = db.select().from(users).where(eq(users.id, userId)).limit(1);
  const [user] = options.forUpdate ? await query.for('update') : await query;
  if (!user) throw new AppError('not_found', { message: 'No such user.' });
  return user;
}

/**
 * Locks the active admins' rows, always in id order, and returns their ids. Two admins disabling
 * each other at the same moment must not both see the other as "still active" (leaving nobody
 * able to administer Depot); taking the locks in one order makes the second wait for the first
 * and then see its result, where locking each target first would deadlock.
 */
export async function lockActiveAdmins(tx: Db): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
    .orderBy(asc(users.id))
    .for('update');
  return rows.map((r) => r.id);
}
