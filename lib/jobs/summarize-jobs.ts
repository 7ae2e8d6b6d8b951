import { count, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, type Job } from '@/db/schema';
import { pgArray } from '@/lib/sql';
import { jobCounts, type JobCounts } from './job-counts';

export type JobSummary = Omit<Job, 'packageLabel'> & {
  /** "cabinet/package-id version (generation N)" as it was when the job was created; null for a job without a package. */
  packageLabel: string | null;
  /** The job had a package and it has been deleted since: only the label is left. */
  packageDeleted: boolean;
  /** Per assignment state; an uninstall job's completed ones are `removed` (job-counts.ts). */
  counts: JobCounts;
  total: number;
};

/** Jobs as lists show them: each with its counts per assignment state, in one grouped query for all of them. */
export async function summarizeJobs(db: Db, rows: Job[]): Promise<JobSummary[]> {
  const ids = rows.map((j) => j.id);
  const counts = ids.length
    ? await db
        .select({ jobId: assignments.jobId, state: assignments.state, n: count() })
        .from(assignments)
        .where(sql`${assignments.jobId} = any(${pgArray(ids)}::uuid[])`)
        .groupBy(assignments.jobId, assignments.state)
    : [];
  return rows.map((job) => {
    const mine = counts.filter((c) => c.jobId === job.id);
    return {
      ...job,
      ...jobPackage(job),
      counts: jobCounts(job.kind, mine),
      total: mine.reduce((s, c) => s + c.n, 0),
    };
  });
}

/** The job's stored package label, and whether its package has been deleted since (package_id set null). */
export function jobPackage(job: Pick<Job, 'packageId' | 'packageLabel'>): { packageLabel: string | null; packageDeleted: boolean } {
  return { packageLabel: job.packageLabel || null, packageDeleted: job.packageId === null && job.packageLabel !== '' };
}
