import { count, desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { jobs } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { summarizeJobs, type JobSummary } from '@/lib/jobs/summarize-jobs';
import { loadPackage } from './load-package';

/** How many of a package's jobs its page and API show, newest first. */
export const PACKAGE_JOBS_SHOWN = 100;

export interface PackageJobs {
  jobs: JobSummary[];
  /** Every job using the package, also those beyond the ones shown. */
  total: number;
}

/** The jobs that use one package, newest first, each with its counts per assignment state. */
export async function listPackageJobs(db: Db, { actor, id }: { actor: Actor | null; id: string }): Promise<PackageJobs> {
  requirePermission(actor, 'admin.view');
  const { pkg } = await loadPackage(db, id);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(jobs).where(eq(jobs.packageId, pkg.id)).orderBy(desc(jobs.createdAt), desc(jobs.id)).limit(PACKAGE_JOBS_SHOWN),
    db.select({ total: count() }).from(jobs).where(eq(jobs.packageId, pkg.id)),
  ]);
  return { jobs: await summarizeJobs(db, rows), total };
}
