import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { assignments, assignmentStateEnum, jobs, machines, packages, type AssignmentState, type Job } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { jobCounts, type JobCounts } from './job-counts';
import { jobPackage } from './summarize-jobs';

export const getJobQuerySchema = z.object({
  state: z.enum(assignmentStateEnum.enumValues, { message: `expected one of ${assignmentStateEnum.enumValues.join(', ')}` }).optional(),
  page: pageParam(),
  // 50 like every other list: the job page renders each row twice (HTML and its React payload),
  // so rows are most of its server time (bench/pages.ts).
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 500').max(500, 'expected 1 to 500').default(50),
});
export type GetJobQuery = { [K in keyof z.input<typeof getJobQuerySchema>]?: unknown };

export interface JobAssignmentRow {
  id: string;
  machineId: string;
  hostname: string;
  state: AssignmentState;
  attempt: number;
  exitCode: number | null;
  reason: string | null;
  updatedAt: string;
}

export interface JobView {
  /** `package` is null for an inventory job and once the package is deleted (`packageDeleted`); `packageLabel` stays. */
  job: Omit<Job, 'packageLabel'> & { package: { id: string; packageId: string; version: string; displayName: string } | null; packageLabel: string | null; packageDeleted: boolean };
  /** Per assignment state; an uninstall job's completed ones are `removed` (job-counts.ts). */
  counts: JobCounts;
  total: number;
  assignments: JobAssignmentRow[];
  page: number;
  pageSize: number;
  /** Rows matching the state filter. */
  matching: number;
}

/** A job with its counts per state and one page of its assignments (output on demand, per assignment). */
export async function getJob(db: Db, { actor, id, query = {} }: { actor: Actor | null; id: string; query?: GetJobQuery }): Promise<JobView> {
  requirePermission(actor, 'admin.view');
  const q = parseInput(getJobQuerySchema, query, 'query');
  const [row] = isUuid(id)
    ? await db
        .select({ job: jobs, pkg: { id: packages.id, packageId: packages.packageId, version: packages.version, displayName: packages.displayName } })
        .from(jobs)
        .leftJoin(packages, eq(packages.id, jobs.packageId))
        .where(eq(jobs.id, id))
    : [];
  if (!row) throw new AppError('not_found', { message: `No job with id ${id}.` });
  const filter: SQL[] = [eq(assignments.jobId, id)];
  if (q.state) filter.push(eq(assignments.state, q.state));
  // The page's machines first, sorted on their keys alone (the job's (job_id, machine_id) index and
  // host names), then only those rows in full: a deep page sorts the whole job, and sorting narrow
  // rows took 12 ms where the full rows took 17 at 10,000 machines (bench/pages.ts). Within a job
  // a machine has one assignment, so host name then machine id is a total order.
  const page = db
    .select({ machineId: assignments.machineId, hostname: machines.hostname })
    .from(assignments)
    .innerJoin(machines, eq(machines.id, assignments.machineId))
    .where(and(...filter))
    .orderBy(asc(machines.hostname), asc(assignments.machineId))
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .as('page');
  const [states, rows, [{ matching }]] = await Promise.all([
    db.select({ state: assignments.state, n: count() }).from(assignments).where(eq(assignments.jobId, id)).groupBy(assignments.state),
    db
      .select({
        id: assignments.id,
        machineId: assignments.machineId,
        hostname: page.hostname,
        state: assignments.state,
        attempt: assignments.attempt,
        exitCode: assignments.exitCode,
        reason: assignments.reason,
        updatedAt: assignments.updatedAt,
      })
      .from(page)
      .innerJoin(assignments, and(eq(assignments.jobId, id), eq(assignments.machineId, page.machineId)))
      .orderBy(asc(page.hostname), asc(page.machineId)),
    db.select({ matching: count() }).from(assignments).where(and(...filter)),
  ]);
  const counts = jobCounts(row.job.kind, states);
  return {
    job: { ...row.job, ...jobPackage(row.job), package: row.pkg },
    counts,
    total: states.reduce((sum, s) => sum + s.n, 0),
    assignments: rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() })),
    page: q.page,
    pageSize: q.pageSize,
    matching,
  };
}
