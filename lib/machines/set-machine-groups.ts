import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { groupMembers, machineGroups, machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { joinGroups } from '@/lib/groups/join-groups';
import { pgArray } from '@/lib/sql';
import { loadMachineForUpdate } from './load-machine';

export const setMachineGroupsSchema = z
  .object({ groupIds: z.array(z.uuid({ message: 'expected a group id (a UUID)' }), { message: 'expected a list of group ids' }).max(1000, 'expected at most 1,000 groups') })
  .strict();

/**
 * Sets the groups a machine belongs to, from its page. Joining a group brings its active jobs
 * (as for any late joiner); leaving one keeps what the machine has and brings nothing new.
 */
export async function setMachineGroups(db: Db, { actor, machineId, input }: { actor: Actor | null; machineId: string; input: unknown }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const groupIds = [...new Set(parseInput(setMachineGroupsSchema, input, 'body').groupIds)].sort();
  return db.transaction(async (tx) => {
    // Groups first, then the machine: the order add-group-members takes its locks in.
    const groups = groupIds.length
      ? await tx.select({ id: machineGroups.id, name: machineGroups.name }).from(machineGroups).where(sql`${machineGroups.id} = any(${pgArray(groupIds)}::uuid[])`).orderBy(asc(machineGroups.id)).for('update')
      : [];
    if (groups.length !== groupIds.length) {
      const known = new Set(groups.map((g) => g.id));
      throw new AppError('not_found', { field: 'groupIds', message: `groupIds: no group with id ${groupIds.find((id) => !known.has(id))}` });
    }
    const machine = await loadMachineForUpdate(tx, machineId);
    const current = await tx.select({ id: groupMembers.groupId, name: machineGroups.name }).from(groupMembers).innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId)).where(eq(groupMembers.machineId, machine.id));
    const leaving = current.filter((g) => !groupIds.includes(g.id));
    if (leaving.length) {
      await tx.delete(groupMembers).where(and(eq(groupMembers.machineId, machine.id), inArray(groupMembers.groupId, leaving.map((g) => g.id))));
      // Its default windows and blackout dates may have come from a group it left.
      await tx.update(machines).set({ planVersion: sql`${machines.planVersion} + 1` }).where(eq(machines.id, machine.id));
    }
    const { joined, assigned } = await joinGroups(tx, groupIds, [machine.id]);
    await writeAudit(tx, {
      actor: deployer,
      action: 'machine.groups',
      targetType: 'machine',
      targetId: machine.id,
      targetLabel: machine.hostname,
      before: { groups: current.map((g) => g.name).sort() },
      after: { groups: groups.map((g) => g.name).sort(), assignments: assigned },
    });
    return { id: machine.id, groups: groups.map((g) => ({ id: g.id, name: g.name })), joined, left: leaving.length, assignments: assigned };
  });
}
