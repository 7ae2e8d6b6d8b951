import { count, desc, ilike, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { jobs } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { summarizeJobs } from './summarize-jobs';

export const listJobsQuerySchema = z.object({
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  page: pageParam(),
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
      .select()
      .from(jobs)
      .where(where)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(jobs).where(where),
  ]);
  return {
    // Each job's package as its stored label: still readable after the package is deleted.
    jobs: await summarizeJobs(db, rows),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}
