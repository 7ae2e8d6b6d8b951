import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { jobs, type Job } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/** The job row, locked for the caller's transaction; not_found names it. */
export async function loadJobForUpdate(tx: Db, id: string): Promise<Job> {
  const [job] = isUuid(id) ? await tx.select().from(jobs).where(eq(jobs.id, id)).for('update') : [];
  if (!job) throw new AppError('not_found', { message: `No job with id ${id}.` });
  return job;
}
