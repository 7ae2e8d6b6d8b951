import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { joinGroups } from '@/lib/groups/join-groups';
import { checkGuardrails } from '@/lib/schedule/guardrails';
import { loadSelfServiceGroupForUpdate } from './load-self-service-group';
import { loadOwnedMachine } from './owned-machine';

/**
 * The user puts their own machine in a self-service group. It joins like any late joiner (one
 * statement: the membership, an assignment for each of the group's active jobs, a plan bump).
 *
 * A machine whose own windows break the group's guardrails is refused (409) with the window and
 * what to change, rather than joined and left out of bounds or joined with its windows rewritten:
 * the user decides which hours to give up. Only this group's guardrails are checked: a machine
 * already out of bounds of another group (after an admin's change) may still join this one.
 * Locks: the group, then the machine, the order the admin's membership changes take.
 */
export async function joinSelfServiceGroup(db: Db, { actor, machineId, groupId }: { actor: Actor | null; machineId: string; groupId: string }) {
  const user = requirePermission(actor, 'portal.use');
  return db.transaction(async (tx) => {
    const group = await loadSelfServiceGroupForUpdate(tx, groupId);
    const { machine } = await loadOwnedMachine(tx, user, machineId, { forUpdate: true });
    const [already] = await tx.select({ groupId: groupMembers.groupId }).from(groupMembers).where(and(eq(groupMembers.groupId, group.id), eq(groupMembers.machineId, machine.id)));
    if (already) throw new AppError('conflict', { message: `${machine.hostname} is already in ${group.name}.` });
    if (machine.windows) {
      const [first] = checkGuardrails(machine.windows, [{ groupId: group.id, groupName: group.name, windowEnvelope: group.windowEnvelope, minOpenMinutes: group.minOpenMinutes }]);
      if (first) {
        throw new AppError('conflict', {
          message: `${machine.hostname}’s installation windows do not fit group ${group.name}: ${first.message} Change that on the machine’s windows page (or clear your windows to follow the groups’ defaults), then join again.`,
        });
      }
    }
    const { assigned } = await joinGroups(tx, [group.id], [machine.id]);
    await writeAudit(tx, { actor: user, action: 'portal.join_group', targetType: 'machine', targetId: machine.id, targetLabel: machine.hostname, after: { groupId: group.id, group: group.name, assignments: assigned } });
    return { machineId: machine.id, group: { id: group.id, name: group.name }, assignments: assigned };
  });
}
