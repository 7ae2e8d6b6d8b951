import type { Db } from '@/db/client';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { NOT_STARTED_STATES } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { jobAction, type JobActionOptions } from './job-action';

/** Suspends a job: its not-yet-started assignments are held (machines drop them on their next poll). */
export function suspendJob(db: Db, options: JobActionOptions) {
  return jobAction(db, options, 'job.suspend', async (tx, job, label) => {
    if (job.state !== 'active') throw new AppError('conflict', { message: `Only an active job can be suspended; this one is ${job.state}.` });
    const moved = await moveAssignments(tx, { jobId: job.id, to: 'held', by: 'admin', from: [...NOT_STARTED_STATES], actorLabel: label });
    return { state: 'suspended', moved };
  });
}
