import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments } from '@/db/schema';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { canMove, isTerminal } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { assignmentChoice, type AssignmentChoiceOptions } from './assignment-choice';
import { stateInWords } from './offer-checks';

/**
 * "Change my mind": a chosen offer that has not started installing goes back to offered
 * (pending/downloading/ready → offered). Only for offers: a mandatory install cannot be unchosen.
 * It starts a new attempt, so whatever the agent still reports about the abandoned one (a
 * download finishing) is refused instead of moving the offer, and a later choice starts afresh.
 */
export function unselectOffer(db: Db, options: AssignmentChoiceOptions) {
  return assignmentChoice(db, options, 'portal.unselect_offer', async (tx, { assignment, job, label }, by) => {
    if (job.kind !== 'offer') throw new AppError('conflict', { message: `${label} is a mandatory install, not an offer: it cannot be unchosen${job.kind === 'install' && job.deferralLimit ? ', but you may defer it' : ''}.` });
    const state = assignment.state;
    if (!canMove(state, 'offered', 'user')) {
      if (state === 'installing') throw new AppError('conflict', { message: `${label} is installing right now: it is too late to change your mind. Once it is installed you may uninstall it if your IT team allows it.` });
      if (isTerminal(state)) throw new AppError('conflict', { message: `${label} has finished (${state}): there is no choice left to change.` });
      throw new AppError('conflict', { message: `${label} is ${stateInWords(state)}: there is no choice to change.` });
    }
    await moveAssignments(tx, { where: sql`id = ${assignment.id}`, from: [state], to: 'offered', by: 'user', newAttempt: true, actorLabel: by, reason: 'the user changed their mind' });
    await tx.update(assignments).set({ runNow: false }).where(eq(assignments.id, assignment.id));
    return { result: { assignmentId: assignment.id, label, state: 'offered' as const }, audit: { before: { state, runNow: assignment.runNow }, after: { state: 'offered', attempt: assignment.attempt + 1 } } };
  });
}
