import { asc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignmentEvents, assignments, jobs, machines } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/** One assignment with its output and every event of every attempt, oldest first. */
export async function getAssignment(db: Db, { actor, id }: { actor: Actor | null; id: string }) {
  requirePermission(actor, 'admin.view');
  const [row] = isUuid(id)
    ? await db
        .select({ assignment: assignments, jobName: jobs.name, jobKind: jobs.kind, hostname: machines.hostname })
        .from(assignments)
        .innerJoin(jobs, eq(jobs.id, assignments.jobId))
        .innerJoin(machines, eq(machines.id, assignments.machineId))
        .where(eq(assignments.id, id))
    : [];
  if (!row) throw new AppError('not_found', { message: `No assignment with id ${id}.` });
  const events = await db.select().from(assignmentEvents).where(eq(assignmentEvents.assignmentId, id)).orderBy(asc(assignmentEvents.attempt), asc(assignmentEvents.id));
  return { ...row.assignment, jobName: row.jobName, jobKind: row.jobKind, hostname: row.hostname, events };
}
