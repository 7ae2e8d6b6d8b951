import { asc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

/**
 * The users a deployer may make a machine's owner: every enabled account. Deployers cannot manage
 * users, so this gives them names and emails only (no roles).
 */
export async function listOwnerChoices(db: Db, { actor }: { actor: Actor | null }) {
  requirePermission(actor, 'deploy.manage');
  return db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.disabled, false)).orderBy(asc(users.email));
}
