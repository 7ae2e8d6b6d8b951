import type { AssignmentState, JobKind } from '@/db/schema';
import type { Plan, PlanAssignment } from '@/lib/contract/agent-api';
import { installTime, spreadOf } from '@/lib/schedule/install-time';

/** What the plan does not carry about an assignment, from its rows (see load-timelines.ts). */
export interface AssignmentFacts {
  assignmentId: string;
  attempt: number;
  state: AssignmentState;
  jobId: string;
  jobName: string;
  /** The job's own kind: an offer stays "offer" here (the plan sends a selected offer as "install"). */
  jobKind: JobKind;
  /** The job's deadline; for an offer, when it expires. */
  jobDeadline: Date | null;
  /** "Firefox ESR 115.6", the deleted package's label, or the job's name. */
  what: string;
  allowInstallNow: boolean;
  deferralLimit: number | null;
  deferrals: number;
  runNow: boolean;
  /** An admin's job (lib/machines/get-plan.ts isMandatory): not an offer, not the owner's own uninstall. */
  mandatory: boolean;
}

/**
 * One assignment the machine still has to carry out, with the instant it starts: the row the
 * machine page's pending list shows, and where per-assignment actions (defer, install now,
 * change my mind) hang.
 */
export interface PendingRow {
  assignmentId: string;
  attempt: number;
  jobId: string;
  jobName: string;
  jobKind: JobKind;
  /** What the agent does: an offer the user selected is an install. */
  kind: PlanAssignment['kind'];
  what: string;
  state: AssignmentState;
  /** ISO; null while the job is suspended (held): nothing starts until an admin resumes it. */
  at: string | null;
  /** The installer runs right now. */
  running: boolean;
  mandatory: boolean;
  /** ISO; the mandatory install's deadline (never for an offer). */
  deadline: string | null;
  allowInstallNow: boolean;
  deferralLimit: number | null;
  deferrals: number;
  runNow: boolean;
}

export type TimelineEvent = 'install' | 'uninstall' | 'deadline' | 'offer_expires';

/** One dated thing that will happen on a machine. */
export interface TimelineRow {
  /** Stable per assignment and event (the calendar feed's UID). */
  key: string;
  assignmentId: string;
  jobKind: JobKind;
  event: TimelineEvent;
  /** ISO instant. */
  at: string;
  what: string;
  machineId: string;
  hostname: string;
  timeZone: string;
  mandatory: boolean;
  state: AssignmentState;
}

export interface MachineTimeline {
  pending: PendingRow[];
  timeline: TimelineRow[];
}

/**
 * A machine's pending work and dated events from its plan, with the agent's own arithmetic: the
 * same installTime, the same spread key (`assignmentId:attempt`), the plan's effective windows,
 * zone and blackout dates. So "Tue 22:00" here is the minute the agent will start. Assignments
 * in the rows but not in the plan (an expired package the sweep has not marked yet) are left out,
 * as the agent leaves them; held ones are listed without a time; offers appear only by expiry.
 */
export function buildTimeline(machine: { id: string; hostname: string }, plan: Plan, facts: readonly AssignmentFacts[], now: Date): MachineTimeline {
  const byId = new Map(facts.map((f) => [f.assignmentId, f]));
  const pending: PendingRow[] = [];
  for (const a of plan.assignments) {
    const f = byId.get(a.assignmentId);
    if (!f) continue;
    const running = a.state === 'installing';
    const at = running ? now : installTime(a, plan.windows, plan.timeZone, now, spreadOf(`${a.assignmentId}:${a.attempt}`), { blackoutDates: plan.blackoutDates });
    pending.push(pendingRow(f, a.kind, a.mandatory, at.toISOString(), running, a.deadline && new Date(a.deadline).toISOString()));
  }
  for (const f of facts) {
    if (f.state === 'held') pending.push(pendingRow(f, f.jobKind === 'offer' ? 'install' : f.jobKind, f.mandatory, null, false, f.jobKind === 'offer' ? null : (f.jobDeadline?.toISOString() ?? null)));
  }
  // Held rows (no time) last.
  pending.sort((x, y) => compare(x.at ?? '~', y.at ?? '~') || compare(x.assignmentId, y.assignmentId));

  const base = { machineId: machine.id, hostname: machine.hostname, timeZone: plan.timeZone };
  const timeline: TimelineRow[] = [];
  for (const p of pending) {
    if (p.at === null || p.kind === 'inventory') continue;
    timeline.push({ ...base, key: `${p.assignmentId}:${p.kind}`, assignmentId: p.assignmentId, jobKind: p.jobKind, event: p.kind, at: p.at, what: p.what, mandatory: p.mandatory, state: p.state });
    if (p.mandatory && p.deadline && Date.parse(p.deadline) > now.getTime()) {
      timeline.push({ ...base, key: `${p.assignmentId}:deadline`, assignmentId: p.assignmentId, jobKind: p.jobKind, event: 'deadline', at: p.deadline, what: p.what, mandatory: true, state: p.state });
    }
  }
  for (const f of facts) {
    if (f.state !== 'offered' || f.jobKind !== 'offer' || !f.jobDeadline || f.jobDeadline <= now) continue;
    timeline.push({ ...base, key: `${f.assignmentId}:offer_expires`, assignmentId: f.assignmentId, jobKind: f.jobKind, event: 'offer_expires', at: f.jobDeadline.toISOString(), what: f.what, mandatory: false, state: f.state });
  }
  timeline.sort(byTime);
  return { pending, timeline };
}

/** Soonest first; ISO instants of one format compare as strings. */
export function byTime(x: TimelineRow, y: TimelineRow): number {
  return compare(x.at, y.at) || compare(x.key, y.key);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pendingRow(f: AssignmentFacts, kind: PlanAssignment['kind'], mandatory: boolean, at: string | null, running: boolean, deadline: string | null): PendingRow {
  return {
    assignmentId: f.assignmentId,
    attempt: f.attempt,
    jobId: f.jobId,
    jobName: f.jobName,
    jobKind: f.jobKind,
    kind,
    what: f.what,
    state: f.state,
    at,
    running,
    mandatory,
    deadline,
    allowInstallNow: f.allowInstallNow,
    deferralLimit: f.deferralLimit,
    deferrals: f.deferrals,
    runNow: f.runNow,
  };
}
