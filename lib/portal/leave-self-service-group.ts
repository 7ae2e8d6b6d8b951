import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { loadSelfServiceGroupForUpdate } from './load-self-service-group';
import { loadOwnedMachine } from './owned-machine';

/**
 * The user takes their own machine out of a self-service group. Like an admin's removal, it keeps
 * what it has (assignments stay, installed software stays) and gets nothing new from the group;
 * its plan is bumped because its default windows and blackout dates may have come from the group.
 */
export async function leaveSelfServiceGroup(db: Db, { actor, machineId, groupId }: { actor: Actor | null; machineId: string; groupId: string }) {
  const user = requirePermission(actor, 'portal.use');
  return db.transaction(async (tx) => {
    const group = await loadSelfServiceGroupForUpdate(tx, groupId);
    const { machine } = await loadOwnedMachine(tx, user, machineId, { forUpdate: true });
    const removed = await tx.delete(groupMembers).where(and(eq(groupMembers.groupId, group.id), eq(groupMembers.machineId, machine.id))).returning({ machineId: groupMembers.machineId });
    if (removed.length === 0) throw new AppError('conflict', { message: `${machine.hostname} is not in ${group.name}.` });
    await tx.update(machines).set({ planVersion: sql`${machines.planVersion} + 1` }).where(eq(machines.id, machine.id));
    await writeAudit(tx, { actor: user, action: 'portal.leave_group', targetType: 'machine', targetId: machine.id, targetLabel: machine.hostname, after: { groupId: group.id, group: group.name } });
    return { machineId: machine.id, group: { id: group.id, name: group.name } };
  });
}
