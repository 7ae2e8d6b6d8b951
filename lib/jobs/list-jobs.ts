import { count, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { assignments, jobs, packages, type AssignmentState } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { pgArray } from '@/lib/sql';

export const listJobsQuerySchema = z.object({
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  page: z.coerce.number({ message: 'expected a page number' }).int().min(1, 'expected a page number from 1').default(1),
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 200').max(200, 'expected 1 to 200').default(50),
});
export type ListJobsQuery = { [K in keyof z.input<typeof listJobsQuerySchema>]?: unknown };

/** Jobs, newest first, each with its counts per assignment state (one grouped query per page). */
export async function listJobs(db: Db, { actor, query = {} }: { actor: Actor | null; query?: ListJobsQuery }) {
  requirePermission(actor, 'admin.view');
  const q = parseInput(listJobsQuerySchema, query, 'query');
  const where: SQL | undefined = q.q ? ilike(jobs.name, `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined;
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({ job: jobs, packageName: packages.displayName, packageVersion: packages.version })
      .from(jobs)
      .leftJoin(packages, eq(packages.id, jobs.packageId))
      .where(where)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(jobs).where(where),
  ]);
  const ids = rows.map((r) => r.job.id);
  const counts = ids.length
    ? await db
        .select({ jobId: assignments.jobId, state: assignments.state, n: count() })
        .from(assignments)
        .where(sql`${assignments.jobId} = any(${pgArray(ids)}::uuid[])`)
        .groupBy(assignments.jobId, assignments.state)
    : [];
  return {
    jobs: rows.map((r) => {
      const mine = counts.filter((c) => c.jobId === r.job.id);
      return {
        ...r.job,
        packageLabel: r.packageName ? `${r.packageName} ${r.packageVersion}` : null,
        counts: Object.fromEntries(mine.map((c) => [c.state, c.n])) as Partial<Record<AssignmentState, number>>,
        total: mine.reduce((s, c) => s + c.n, 0),
      };
    }),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}
