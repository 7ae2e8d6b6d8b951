import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments } from '@/db/schema';
import { NOT_STARTED_STATES } from '@/lib/assignments/transitions';
import { AppError } from '@/lib/errors';
import { planTiming } from '@/lib/machines/plan-timing';
import { deferralTime } from '@/lib/schedule/deferral';
import { spreadOf } from '@/lib/schedule/install-time';
import { assignmentChoice, type AssignmentChoiceOptions } from './assignment-choice';
import { formatTime } from './format-time';
import { requireLiveJob, stateInWords } from './offer-checks';
import { machineSchedule } from './machine-schedule';

export interface DeferredInstall {
  assignmentId: string;
  /** "Firefox 128.5 on pc-1" */
  label: string;
  /** The assignment's new not-before: the end of the opening it would have run in. */
  notBefore: string;
  /** When the agent will now run it, by the machine's windows, zone and blackout dates. */
  expectedAt: string;
  deferrals: number;
  deferralsLeft: number;
  timeZone: string;
}

/**
 * "Not now": a mandatory install that has not started moves to the machine's next opening after
 * the one it would run in, counted against the job's deferral budget and never past its deadline.
 * The time is computed from the plan's own timing, windows, zone and blackout dates with the
 * agent's spread, so what the portal promises is what the agent will do. A deferral also drops an
 * earlier "install now".
 */
export function deferInstall(db: Db, options: AssignmentChoiceOptions): Promise<DeferredInstall> {
  const now = options.now ?? new Date();
  return assignmentChoice(db, options, 'portal.defer_install', async (tx, { assignment, job, pkg, label, machine }) => {
    if (job.kind !== 'install') throw new AppError('conflict', { message: job.kind === 'offer' ? `${label} is your own choice, not a mandatory install: change your mind instead of deferring it.` : `${label} is not an install: it cannot be deferred.` });
    if (!NOT_STARTED_STATES.includes(assignment.state)) throw new AppError('conflict', { message: `${label} is ${stateInWords(assignment.state)}: only an install that has not started can be deferred.` });
    requireLiveJob(job, pkg, label, now);
    const limit = job.deferralLimit ?? 0;
    if (limit === 0) throw new AppError('conflict', { message: `${label} cannot be deferred: your administrators allow no deferrals for it.` });
    if (assignment.deferrals >= limit) throw new AppError('conflict', { message: `${label} cannot be deferred again: no deferrals left: ${assignment.deferrals} of ${limit} used.` });
    const schedule = await machineSchedule(tx, machine, now);
    // As the plan will send it after this change: a deferral ends "install now".
    const timing = planTiming(job, { ...assignment, runNow: false });
    const outcome = deferralTime(timing, schedule.windows, schedule.timeZone, now, spreadOf(`${assignment.id}:${assignment.attempt}`), { blackoutDates: schedule.blackoutDates });
    if (!outcome.ok) {
      throw new AppError('conflict', { message: `${label} cannot be deferred: the deadline ${formatTime(outcome.deadline, schedule.timeZone)} leaves no later window; it installs by then.` });
    }
    const deferrals = assignment.deferrals + 1;
    await tx.update(assignments).set({ notBefore: outcome.notBefore, deferrals, runNow: false, updatedAt: now }).where(eq(assignments.id, assignment.id));
    const result: DeferredInstall = { assignmentId: assignment.id, label, notBefore: outcome.notBefore.toISOString(), expectedAt: outcome.expectedAt.toISOString(), deferrals, deferralsLeft: limit - deferrals, timeZone: schedule.timeZone };
    return { result, audit: { before: { notBefore: assignment.notBefore, deferrals: assignment.deferrals, runNow: assignment.runNow }, after: { notBefore: result.notBefore, deferrals, expectedAt: result.expectedAt } } };
  });
}
