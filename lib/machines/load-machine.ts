import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines, type Machine } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/**
 * Locks one machine row for a change. A retired machine is not found (nothing may change it any
 * more) unless `retired` allows it, for reads of its history.
 */
export async function loadMachineForUpdate(tx: Db, id: string, { retired = false } = {}): Promise<Machine> {
  const [row] = isUuid(id) ? await tx.select().from(machines).where(eq(machines.id, id)).for('update') : [];
  if (!row || (row.retiredAt && !retired)) throw new AppError('not_found', { message: `No enrolled machine with id ${id}.` });
  return row;
}
