import { and, asc, eq, notInArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, jobs, type Package } from '@/db/schema';
import { TERMINAL_STATES } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { pgArray } from '@/lib/sql';
import { packageLabel } from './public-package';

/** How many jobs the refusal names before "and N more". */
const NAMED_JOBS = 3;

/**
 * Refuses (conflict) to delete packages while a job using one of them has an assignment that is
 * not finished: the agent would be left with a job whose package is gone. Finished jobs do not
 * stand in the way; they keep their history and package label when the package goes.
 *
 * The caller has locked the package rows FOR UPDATE, which waits for a job being created from
 * them (create-job share-locks its package). The jobs' rows are locked here, before the check,
 * which waits for a cancel, suspend, resume or re-run in progress and for a machine joining one
 * of their groups (add-group-members share-locks the jobs it assigns); the check is a separate
 * statement so that, under READ COMMITTED, it sees what those committed while we waited.
 */
export async function requireNoUnfinishedJobs(tx: Db, rows: Pick<Package, 'id' | 'packageId' | 'version' | 'generation'>[], cabinetName: string): Promise<void> {
  if (rows.length === 0) return;
  const ids = pgArray(rows.map((r) => r.id));
  const usedBy = sql`${jobs.packageId} = any(${ids}::uuid[])`;
  // Ordered, so two deletions that share jobs (never, today: a job has one package) cannot deadlock.
  await tx.select({ id: jobs.id }).from(jobs).where(usedBy).orderBy(asc(jobs.id)).for('update');
  const blocking = await tx
    .select({
      name: jobs.name,
      unfinished: sql<number>`count(*)`.mapWith(Number),
      installing: sql<number>`count(*) filter (where ${assignments.state} = 'installing')`.mapWith(Number),
      // Window functions run after grouping: totals over every blocking job, not only the named ones.
      jobsTotal: sql<number>`count(*) over ()`.mapWith(Number),
      unfinishedTotal: sql<number>`sum(count(*)) over ()`.mapWith(Number),
      installingTotal: sql<number>`sum(count(*) filter (where ${assignments.state} = 'installing')) over ()`.mapWith(Number),
    })
    .from(jobs)
    .innerJoin(assignments, eq(assignments.jobId, jobs.id))
    .where(and(usedBy, notInArray(assignments.state, [...TERMINAL_STATES])))
    .groupBy(jobs.id)
    .orderBy(asc(jobs.createdAt), asc(jobs.id))
    .limit(NAMED_JOBS);
  if (blocking.length === 0) return;
  const { jobsTotal, unfinishedTotal, installingTotal } = blocking[0];
  const named = blocking.map((j) => `"${j.name}" (${plural(j.unfinished, 'unfinished assignment')}${j.installing ? `, ${j.installing} installing` : ''})`);
  const more = jobsTotal - named.length;
  const list = more > 0 ? `${named.join(', ')} and ${more} more` : named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0];
  const one = jobsTotal === 1;
  const what = rows.length === 1 ? `package ${cabinetName}/${packageLabel(rows[0])}` : `the ${rows.length} packages of cabinet "${cabinetName}"`;
  const uses = `${one ? 'job' : 'jobs'} ${list} still ${one ? 'uses' : 'use'} ${rows.length === 1 ? 'it' : 'them'}`;
  // An assignment already installing cannot be cancelled: say so rather than "cancel" again.
  const todo =
    installingTotal === unfinishedTotal
      ? `Wait for the ${plural(installingTotal, 'assignment')} already installing to finish (installs cannot be cancelled), then delete again.`
      : `Cancel ${one ? 'the job' : 'those jobs'} first; assignments already installing must finish${installingTotal ? ` (${installingTotal} now)` : ''} before the package can be deleted.`;
  throw new AppError('conflict', { message: `Cannot delete ${what}: ${uses}. ${todo}` });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
