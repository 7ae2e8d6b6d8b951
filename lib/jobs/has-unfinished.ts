import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments } from '@/db/schema';
import { TERMINAL_STATES } from '@/lib/assignments/transitions';
import { assignmentStateEnum } from '@/db/schema';

/** Whether any assignment of the job is still in a non-terminal state. */
export async function hasUnfinished(tx: Db, jobId: string): Promise<boolean> {
  const open = assignmentStateEnum.enumValues.filter((s) => !TERMINAL_STATES.includes(s));
  const [row] = await tx.select({ id: assignments.id }).from(assignments).where(and(eq(assignments.jobId, jobId), inArray(assignments.state, open))).limit(1);
  return !!row;
}
