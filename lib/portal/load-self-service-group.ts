import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machineGroups, type MachineGroup } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/**
 * A group users may join from the portal, locked for the caller's transaction (membership changes
 * of one group queue up, as the admin's do). Any other group is "not found": the portal does not
 * tell which other groups exist.
 */
export async function loadSelfServiceGroupForUpdate(tx: Db, groupId: string): Promise<MachineGroup> {
  const [group] = isUuid(groupId) ? await tx.select().from(machineGroups).where(and(eq(machineGroups.id, groupId), eq(machineGroups.selfService, true))).for('update') : [];
  if (!group) throw new AppError('not_found', { message: `No self-service group with id ${groupId}.` });
  return group;
}
