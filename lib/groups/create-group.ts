import type { Db } from '@/db/client';
import { machineGroups, type MachineGroup } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, parseInput } from '@/lib/errors';
import { createGroupSchema, type CreateGroupInput } from './schemas';

export async function createGroup(db: Db, { actor, input }: { actor: Actor | null; input: CreateGroupInput }): Promise<MachineGroup> {
  const deployer = requirePermission(actor, 'deploy.manage');
  const data = parseInput(createGroupSchema, input, 'body');
  try {
    return await db.transaction(async (tx) => {
      const [group] = await tx.insert(machineGroups).values({ ...data, createdBy: deployer.id }).returning();
      await writeAudit(tx, { actor: deployer, action: 'group.create', targetType: 'group', targetId: group.id, targetLabel: group.name, after: data });
      return group;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'machine_groups_name_idx')) throw new AppError('conflict', { field: 'name', message: `name: a group named "${data.name}" already exists` });
    throw error;
  }
}
