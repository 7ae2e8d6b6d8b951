import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machineGroups, type MachineGroup } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/** The group row, locked for the caller's transaction (membership changes of one group queue up). */
export async function loadGroupForUpdate(tx: Db, id: string): Promise<MachineGroup> {
  const [group] = isUuid(id) ? await tx.select().from(machineGroups).where(eq(machineGroups.id, id)).for('update') : [];
  if (!group) throw new AppError('not_found', { message: `No group with id ${id}.` });
  return group;
}
