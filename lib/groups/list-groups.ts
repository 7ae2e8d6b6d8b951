import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machineGroups } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

/** Every group with its member count, by name. */
export async function listGroups(db: Db, { actor }: { actor: Actor | null }) {
  requirePermission(actor, 'admin.view');
  return db
    .select({ id: machineGroups.id, name: machineGroups.name, description: machineGroups.description, windows: machineGroups.windows, members: count(groupMembers.machineId) })
    .from(machineGroups)
    .leftJoin(groupMembers, eq(groupMembers.groupId, machineGroups.id))
    .groupBy(machineGroups.id)
    .orderBy(asc(machineGroups.name));
}
