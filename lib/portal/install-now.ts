import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments } from '@/db/schema';
import { NOT_STARTED_STATES } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { assignmentChoice, type AssignmentChoiceOptions } from './assignment-choice';
import { requireLiveJob, stateInWords } from './offer-checks';

/**
 * "Install now" on a chosen offer or a mandatory install that has not started, where its job
 * allows it: sets run_now, which the plan sends as "as soon as received", outside the windows and
 * before any later start or deferral. Asking twice changes nothing.
 */
export function installNow(db: Db, options: AssignmentChoiceOptions) {
  const now = options.now ?? new Date();
  return assignmentChoice(db, options, 'portal.install_now', async (tx, { assignment, job, pkg, label }) => {
    if (job.kind !== 'install' && job.kind !== 'offer') throw new AppError('conflict', { message: `${label} is ${job.kind === 'uninstall' ? 'an uninstall' : 'an inventory'}: only installs can be run now.` });
    const state = assignment.state;
    if (state === 'offered') throw new AppError('conflict', { message: `${label} is not chosen yet: choose “Install now” in the catalog to choose and run it at once.` });
    if (!NOT_STARTED_STATES.includes(state)) throw new AppError('conflict', { message: `${label} is ${stateInWords(state)}: only an install that has not started can be run now.` });
    requireLiveJob(job, pkg, label, now);
    if (!job.allowInstallNow) throw new AppError('conflict', { message: `The ${job.kind === 'offer' ? 'offer' : 'install'} of ${label} does not allow installing now: it runs in the machine’s installation windows${job.kind === 'install' && job.deadline ? ' (at the latest at its deadline)' : ''}.` });
    const result = { assignmentId: assignment.id, label, state, runNow: true };
    if (assignment.runNow) return { result };
    await tx.update(assignments).set({ runNow: true, updatedAt: now }).where(eq(assignments.id, assignment.id));
    return { result, audit: { before: { runNow: false }, after: { runNow: true } } };
  });
}
