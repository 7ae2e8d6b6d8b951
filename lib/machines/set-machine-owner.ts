import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { machines, users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { loadMachineForUpdate } from './load-machine';

/** null: no owner. The owner sees the machine in the portal and chooses for it. */
export const setMachineOwnerSchema = z.object({ ownerId: z.uuid({ message: 'expected a user id (a UUID), or null for no owner' }).nullable() }).strict();

/**
 * Sets (or clears) the user who owns a machine. The owner must be an enabled user; the plan does
 * not change, so the agent is not disturbed. A change of owner sets owner_since: the new owner's
 * portal history and failure counts start there.
 */
export async function setMachineOwner(db: Db, { actor, machineId, input }: { actor: Actor | null; machineId: string; input: unknown }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { ownerId } = parseInput(setMachineOwnerSchema, input, 'body');
  return db.transaction(async (tx) => {
    const machine = await loadMachineForUpdate(tx, machineId);
    let owner: { id: string; email: string } | null = null;
    if (ownerId) {
      [owner] = await tx.select({ id: users.id, email: users.email }).from(users).where(and(eq(users.id, ownerId), eq(users.disabled, false)));
      if (!owner) throw new AppError('not_found', { field: 'ownerId', message: `ownerId: no enabled user with id ${ownerId}` });
    }
    const [before] = machine.ownerId ? await tx.select({ email: users.email }).from(users).where(eq(users.id, machine.ownerId)) : [];
    // A new owner starts a new story: the portal shows them what happens from now on.
    const changed = (owner?.id ?? null) !== machine.ownerId;
    await tx.update(machines).set({ ownerId: owner?.id ?? null, ...(changed ? { ownerSince: new Date() } : {}) }).where(eq(machines.id, machine.id));
    await writeAudit(tx, {
      actor: deployer,
      action: 'machine.owner',
      targetType: 'machine',
      targetId: machine.id,
      targetLabel: machine.hostname,
      before: { owner: before?.email ?? null },
      after: { owner: owner?.email ?? null },
    });
    return { id: machine.id, owner: owner?.email ?? null, ownerId: owner?.id ?? null };
  });
}
