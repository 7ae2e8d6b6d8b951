import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines, type Machine } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/**
 * The portal's one ownership check: the signed-in user's own, enrolled machine, or 404. Another
 * user's machine is "not found" (never 403), so the portal does not tell which ids exist. Every
 * portal operation on a machine starts here; `forUpdate` locks the row for a change.
 */
export async function loadOwnedMachine(db: Db, actor: Actor | null, machineId: string, { forUpdate = false } = {}): Promise<{ user: Actor; machine: Machine }> {
  const user = requirePermission(actor, 'portal.use');
  const where = and(eq(machines.id, machineId), eq(machines.ownerId, user.id), isNull(machines.retiredAt));
  const query = db.select().from(machines).where(where);
  const [machine] = isUuid(machineId) ? await (forUpdate ? query.for('update') : query) : [];
  if (!machine) throw new AppError('not_found', { message: `You have no machine with id ${machineId}.` });
  return { user, machine };
}
