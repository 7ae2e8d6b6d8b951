import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { canMove } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { assignmentChoice, type AssignmentChoiceOptions } from './assignment-choice';
import { stateInWords } from './offer-checks';

/** "Reject": an offer the user does not want (offered → declined) stops showing; they may restore it while it lasts. */
export function declineOffer(db: Db, options: AssignmentChoiceOptions) {
  return assignmentChoice(db, options, 'portal.decline_offer', async (tx, { assignment, job, label }, by) => {
    if (job.kind !== 'offer') throw new AppError('conflict', { message: `${label} is a mandatory install, not an offer: it cannot be rejected.` });
    const state = assignment.state;
    if (!canMove(state, 'declined', 'user')) {
      if (state === 'pending' || state === 'downloading' || state === 'ready') throw new AppError('conflict', { message: `${label} is chosen: change your mind first, then reject it.` });
      throw new AppError('conflict', { message: `${label} is ${stateInWords(state)}: only an offer not chosen yet can be rejected.` });
    }
    await moveAssignments(tx, { where: sql`id = ${assignment.id}`, from: ['offered'], to: 'declined', by: 'user', actorLabel: by, reason: 'rejected by the user' });
    return { result: { assignmentId: assignment.id, label, state: 'declined' as const }, audit: { before: { state }, after: { state: 'declined' } } };
  });
}
