import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machineGroups } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { bumpMemberPlans } from './bump-member-plans';
import { loadGroupForUpdate } from './load-group';
import { groupWindowsSchema } from './schemas';

/** Sets a group's default installation windows and bumps the plans of its members. */
export async function setGroupWindows(db: Db, { actor, groupId, input }: { actor: Actor | null; groupId: string; input: unknown }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { windows } = parseInput(groupWindowsSchema, input, 'body');
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    await tx.update(machineGroups).set({ windows }).where(eq(machineGroups.id, group.id));
    await bumpMemberPlans(tx, group.id);
    await writeAudit(tx, { actor: deployer, action: 'group.windows', targetType: 'group', targetId: group.id, targetLabel: group.name, before: { windows: group.windows }, after: { windows } });
    return { windows };
  });
}
