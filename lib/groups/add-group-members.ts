import type { Db } from '@/db/client';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { requireEnrolledMachines } from '@/lib/machines/require-enrolled-machines';
import { joinGroups } from './join-groups';
import { loadGroupForUpdate } from './load-group';
import { groupMembersSchema, type GroupMembersInput } from './schemas';

/**
 * Adds machines to a group. A machine that joins while the group has jobs that are not cancelled
 * and whose package still exists gets an assignment for each (held while the job is suspended,
 * offered for offers), in the same statement that records the membership and bumps its plan
 * version.
 */
export async function addGroupMembers(db: Db, { actor, groupId, input }: { actor: Actor | null; groupId: string; input: GroupMembersInput }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { machineIds } = parseInput(groupMembersSchema, input, 'body');
  const ids = [...new Set(machineIds)];
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    await requireEnrolledMachines(tx, ids);
    const { joined, assigned } = await joinGroups(tx, [group.id], ids);
    await writeAudit(tx, { actor: deployer, action: 'group.add_members', targetType: 'group', targetId: group.id, targetLabel: group.name, after: { machineIds: ids, joined, assignments: assigned } });
    return { joined, assignments: assigned };
  });
}
