import type { Assignment, Job } from '@/db/schema';
import type { AssignmentTiming } from '@/lib/schedule/install-time';

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}

/**
 * The timing of one assignment as the plan sends it to the agent. One function for the plan and
 * the portal, so "next install: …" and a deferral's new time are what the agent will compute.
 */
export function planTiming(job: Pick<Job, 'kind' | 'timing' | 'startAt' | 'notBefore' | 'deadline' | 'loadSpreading'>, assignment: Pick<Assignment, 'runNow' | 'notBefore'>): AssignmentTiming {
  return {
    // A selected offer is installed like a mandatory one.
    kind: job.kind === 'offer' ? 'install' : job.kind,
    // "Install now" (where the job allows it) ignores the windows and any later start.
    timing: assignment.runNow ? 'asap' : job.timing,
    startAt: assignment.runNow ? null : (job.startAt?.toISOString() ?? null),
    // A deferral moves this machine's not-before past the job's; the later one holds.
    notBefore: assignment.runNow ? null : (laterOf(job.notBefore, assignment.notBefore)?.toISOString() ?? null),
    // An offer expires at its deadline; it never forces an install.
    deadline: job.kind === 'offer' ? null : (job.deadline?.toISOString() ?? null),
    loadSpreading: job.loadSpreading,
  };
}
