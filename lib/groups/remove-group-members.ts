import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { loadGroupForUpdate } from './load-group';
import { groupMembersSchema, type GroupMembersInput } from './schemas';

/** Removes machines from a group: they keep what they have and get nothing new from it. */
export async function removeGroupMembers(db: Db, { actor, groupId, input }: { actor: Actor | null; groupId: string; input: GroupMembersInput }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { machineIds } = parseInput(groupMembersSchema, input, 'body');
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    const removed = await tx
      .delete(groupMembers)
      .where(and(eq(groupMembers.groupId, group.id), inArray(groupMembers.machineId, machineIds)))
      .returning({ machineId: groupMembers.machineId });
    // Their default windows may have come from this group.
    if (removed.length) await tx.update(machines).set({ planVersion: sql`${machines.planVersion} + 1` }).where(inArray(machines.id, removed.map((r) => r.machineId)));
    await writeAudit(tx, { actor: deployer, action: 'group.remove_members', targetType: 'group', targetId: group.id, targetLabel: group.name, after: { machineIds: removed.map((r) => r.machineId) } });
    return { removed: removed.length };
  });
}
