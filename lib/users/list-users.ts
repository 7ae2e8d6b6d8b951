import { and, asc, count, eq, ilike, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { toPublicUser, type PublicUser } from './public-user';
import { roleSchema } from './schemas';

export const listUsersQuerySchema = z.object({
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  role: roleSchema.optional(),
  page: pageParam(),
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1).max(200, 'expected at most 200').default(50),
});
// Loose on purpose: pages pass raw search params and this operation parses them.
export type ListUsersQuery = { [K in keyof z.input<typeof listUsersQuerySchema>]?: unknown };

export interface ListUsersOptions {
  actor: Actor | null;
  query?: ListUsersQuery;
}

export interface UsersPage {
  users: PublicUser[];
  total: number;
  page: number;
  pageSize: number;
}

export async function listUsers(db: Db, { actor, query = {} }: ListUsersOptions): Promise<UsersPage> {
  requirePermission(actor, 'users.view');
  const q = parseInput(listUsersQuerySchema, query);
  const where: SQL[] = [];
  if (q.role) where.push(eq(users.role, q.role));
  if (q.q) {
    const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(users.email, pattern), ilike(users.name, pattern))!);
  }
  const condition = where.length ? and(...where) : undefined;
  const [rows, [{ total }]] = await Promise.all([
    db
      .select()
      .from(users)
      .where(condition)
      .orderBy(asc(users.email))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(users).where(condition),
  ]);
  return { users: rows.map(toPublicUser), total, page: q.page, pageSize: q.pageSize };
}
