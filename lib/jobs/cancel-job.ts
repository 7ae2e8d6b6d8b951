import type { Db } from '@/db/client';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { AppError } from '@/lib/errors';
import { jobAction, type JobActionOptions } from './job-action';
import { hasUnfinished } from './has-unfinished';

/**
 * Cancels a job: every assignment not yet started (pending, downloading, ready, offered, held)
 * becomes cancelled; machines learn it on their next poll. Installs already running finish.
 */
export function cancelJob(db: Db, options: JobActionOptions) {
  return jobAction(db, options, 'job.cancel', async (tx, job, label) => {
    if (job.state === 'cancelled') throw new AppError('conflict', { message: 'This job is already cancelled.' });
    if (!(await hasUnfinished(tx, job.id))) {
      throw new AppError('conflict', { message: 'This job has finished: every assignment is installed, failed, skipped, cancelled or expired. Nothing is left to cancel.' });
    }
    const moved = await moveAssignments(tx, { jobId: job.id, to: 'cancelled', by: 'admin', actorLabel: label });
    return { state: 'cancelled', moved };
  });
}
