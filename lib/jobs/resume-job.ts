import type { Db } from '@/db/client';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { AppError } from '@/lib/errors';
import { jobAction, type JobActionOptions } from './job-action';

/**
 * Resumes a suspended job: held assignments are pending again, as a new attempt, so the steps the
 * agent reports after the pause are recorded as new events rather than taken for replays.
 */
export function resumeJob(db: Db, options: JobActionOptions) {
  return jobAction(db, options, 'job.resume', async (tx, job, label) => {
    if (job.state !== 'suspended') throw new AppError('conflict', { message: `Only a suspended job can be resumed; this one is ${job.state}.` });
    const moved = await moveAssignments(tx, { jobId: job.id, to: 'pending', by: 'admin', from: ['held'], newAttempt: true, actorLabel: label });
    return { state: 'active', moved };
  });
}
