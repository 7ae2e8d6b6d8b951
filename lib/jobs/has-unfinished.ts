import { and, eq, notInArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments } from '@/db/schema';
import { TERMINAL_STATES } from '@/lib/assignments/transitions';

/** Whether any assignment of the job is still in a non-terminal state. */
export async function hasUnfinished(tx: Db, jobId: string): Promise<boolean> {
  const [row] = await tx.select({ id: assignments.id }).from(assignments).where(and(eq(assignments.jobId, jobId), notInArray(assignments.state, [...TERMINAL_STATES]))).limit(1);
  return !!row;
}
