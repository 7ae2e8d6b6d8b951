import { and, count, eq, ne } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { userIdSchema } from './schemas';

/** The user row, or not_found (an id that is not even a uuid is simply not found). */
export async function loadUser(db: Db, userId: string): Promise<User> {
  if (!userIdSchema.safeParse(userId).success) throw new AppError('not_found', { message: 'No such user.' });
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new AppError('not_found', { message: 'No such user.' });
  return user;
}

/** Active admins other than this user; the last one may not be disabled or demoted. */
export async function countOtherActiveAdmins(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, userId)));
  return row.n;
}
