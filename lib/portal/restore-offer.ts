import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { canMove } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { assignmentChoice, type AssignmentChoiceOptions } from './assignment-choice';
import { requireLiveJob, stateInWords } from './offer-checks';

/** "Show again": a rejected offer is offered again (declined → offered), while the offer still stands. */
export function restoreOffer(db: Db, options: AssignmentChoiceOptions) {
  const now = options.now ?? new Date();
  return assignmentChoice(db, options, 'portal.restore_offer', async (tx, { assignment, job, pkg, label }, by) => {
    const state = assignment.state;
    if (!canMove(state, 'offered', 'user') || state !== 'declined') throw new AppError('conflict', { message: `${label} is ${stateInWords(state)}: only a rejected offer can be shown again.` });
    requireLiveJob(job, pkg, label, now);
    await moveAssignments(tx, { where: sql`id = ${assignment.id}`, from: ['declined'], to: 'offered', by: 'user', actorLabel: by, reason: 'shown again by the user' });
    return { result: { assignmentId: assignment.id, label, state: 'offered' as const }, audit: { before: { state }, after: { state: 'offered' } } };
  });
}
