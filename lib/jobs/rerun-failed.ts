import type { Db } from '@/db/client';
import { moveJobAssignments } from '@/lib/assignments/move-assignments';
import { AppError } from '@/lib/errors';
import { jobAction, type JobActionOptions } from './job-action';

/** Re-runs the failed assignments only, each as a new attempt; the others are untouched. */
export function rerunFailed(db: Db, options: JobActionOptions) {
  return jobAction(db, options, 'job.rerun_failed', async (tx, job, label) => {
    if (job.state !== 'active') throw new AppError('conflict', { message: `Failed machines can be re-run on an active job; this one is ${job.state}.` });
    const moved = await moveJobAssignments(tx, { jobId: job.id, to: 'pending', by: 'admin', from: ['failed'], newAttempt: true, actorLabel: label });
    if (moved === 0) throw new AppError('conflict', { message: 'No machine has failed this job: nothing to re-run.' });
    return { moved };
  });
}
