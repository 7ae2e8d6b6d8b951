import { and, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { pgArray } from '@/lib/sql';

/** Checks that every id is an enrolled machine that is not retired; not_found names the first that is not. */
export async function requireEnrolledMachines(tx: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.select({ id: machines.id }).from(machines).where(and(sql`${machines.id} = any(${pgArray(ids)}::uuid[])`, isNull(machines.retiredAt)));
  if (found.length === ids.length) return;
  const known = new Set(found.map((m) => m.id));
  throw new AppError('not_found', { field: 'machineIds', message: `machineIds: no enrolled machine with id ${ids.find((id) => !known.has(id))}` });
}
