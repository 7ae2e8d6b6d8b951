import type { Db } from '@/db/client';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { AppError } from '@/lib/errors';
import { jobAction, type JobActionOptions } from './job-action';

/** Re-runs the failed assignments only, each as a new attempt; the others are untouched. */
export function rerunFailed(db: Db, options: JobActionOptions) {
  return jobAction(db, options, 'job.rerun_failed', async (tx, job, label) => {
    if (job.state !== 'active') throw new AppError('conflict', { message: `Failed machines can be re-run on an active job; this one is ${job.state}.` });
    // The job row is locked, and a package deletion locks its jobs before it checks them, so this
    // sees a deletion that committed first, and a deletion after us sees the new pending rows.
    if (job.kind !== 'inventory' && job.packageId === null) {
      throw new AppError('conflict', { message: `The package of this job (${job.packageLabel}) was deleted: there is nothing to re-run. Create a new job with another package.` });
    }
    const moved = await moveAssignments(tx, { jobId: job.id, to: 'pending', by: 'admin', from: ['failed'], newAttempt: true, actorLabel: label });
    if (moved === 0) throw new AppError('conflict', { message: 'No machine has failed this job: nothing to re-run.' });
    return { moved };
  });
}
