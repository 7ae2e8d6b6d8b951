import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import type { Actor } from '@/lib/auth/permissions';
import { isUuid } from '@/lib/ids';

/**
 * The signed-in actor behind a session token, read from the row on every request: a disabled
 * user, or one whose session version moved on (password reset, "end sessions"), is signed out
 * at once, and a role change applies to the very next request. One primary-key lookup.
 */
export async function resolveSessionActor(db: Db, token: { uid?: unknown; sv?: unknown }): Promise<Actor | null> {
  if (!isUuid(token.uid) || typeof token.sv !== 'number') return null;
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabled: users.disabled, sv: users.sessionVersion })
    .from(users)
    .where(eq(users.id, token.uid))
    .limit(1);
  if (!user || user.disabled || user.sv !== token.sv) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
