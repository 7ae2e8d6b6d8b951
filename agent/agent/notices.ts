import type { Plan, PlanAssignment } from '../../lib/contract/agent-api';
import { installTime, spreadOf } from '../../lib/schedule/install-time';
import { upcomingNotices, type Notice } from '../../lib/schedule/notices';

/** When the agent starts this assignment, from its cached plan: what its executor waits for. */
export function startTime(plan: Plan, a: PlanAssignment, now: Date): Date {
  return installTime(a, plan.windows, plan.timeZone, now, spreadOf(`${a.assignmentId}:${a.attempt}`), { blackoutDates: plan.blackoutDates });
}

/** "Firefox ESR 115", or the job's name when the package is gone. */
export function nameOf(a: PlanAssignment): string {
  return a.package ? `${a.package.displayName} ${a.package.version}` : a.jobName;
}

/** An admin's install or uninstall: what the agent announces before it runs (inventory only reads facts). */
export function isAnnounced(a: PlanAssignment): a is PlanAssignment & { kind: 'install' | 'uninstall' } {
  return a.mandatory && a.kind !== 'inventory';
}

/**
 * The notices `depot-agent status` prints: the same rules and words as the portal's banners
 * (lib/schedule/notices.ts) over the same computed times, from the cached plan. `done` leaves out
 * what this machine has already finished or started but not yet reported.
 */
export function planNotices(plan: Plan, now: Date, done: (a: PlanAssignment) => boolean = () => false): Notice[] {
  const subjects = plan.assignments
    .filter((a) => isAnnounced(a) && a.state !== 'installing' && !done(a))
    .map((a) => ({
      key: a.assignmentId,
      kind: a.kind as 'install' | 'uninstall',
      what: nameOf(a),
      machine: 'this machine',
      timeZone: plan.timeZone,
      at: startTime(plan, a, now),
      deadline: a.deadline ? new Date(a.deadline) : null,
    }));
  return upcomingNotices(subjects, now);
}
