import { describe, expect, it } from 'vitest';
import type { Plan, PlanAssignment } from '@/lib/contract/agent-api';
import { portalNotifications } from './notifications';
import { buildTimeline, type AssignmentFacts, type TimelineRow } from './timeline';

// Tuesday 12:00 in Berlin; the machine installs Tuesdays 22:00-02:00.
const now = new Date('2027-01-05T11:00:00Z');
const machine = { id: 'm1', hostname: 'pc-12' };
let n = 0;

function assignment(extra: Partial<PlanAssignment> = {}): PlanAssignment {
  n += 1;
  return {
    assignmentId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    attempt: 1,
    jobId: '22222222-2222-4222-8222-222222222222',
    jobName: `job ${n}`,
    kind: 'install',
    state: 'pending',
    timing: 'windows',
    startAt: null,
    notBefore: null,
    deadline: null,
    loadSpreading: false,
    maxConcurrent: null,
    askTurn: false,
    mandatory: true,
    package: null,
    ...extra,
  };
}

function factsOf(a: PlanAssignment, extra: Partial<AssignmentFacts> = {}): AssignmentFacts {
  return {
    assignmentId: a.assignmentId,
    attempt: a.attempt,
    state: a.state,
    jobId: a.jobId,
    jobName: a.jobName,
    jobKind: a.mandatory ? a.kind : 'offer',
    jobDeadline: a.deadline ? new Date(a.deadline) : null,
    what: 'Firefox ESR 115',
    allowInstallNow: false,
    deferralLimit: null,
    deferrals: 0,
    runNow: false,
    mandatory: a.mandatory,
    ...extra,
  };
}

function rowsFor(assignments: PlanAssignment[], extraFacts: AssignmentFacts[] = [], at = now, host = machine): TimelineRow[] {
  const plan: Plan = { machineId: host.id, version: 1, pollSeconds: 60, jitterSeconds: 30, timeZone: 'Europe/Berlin', windows: [{ day: 2, start: '22:00', minutes: 240 }], blackoutDates: [], contentSources: [], assignments };
  return buildTimeline(host, plan, [...assignments.map((a) => factsOf(a)), ...extraFacts], at).timeline;
}

describe('portalNotifications', () => {
  it('announces a mandatory install starting within 24 h, on the machine’s clock', () => {
    const notices = portalNotifications(rowsFor([assignment()]), now);
    expect(notices.map((x) => [x.type, x.text])).toEqual([['soon', 'Firefox ESR 115 will be installed on pc-12 Tue 22:00 (in 10 h)']]);
  });

  it('says removed for an uninstall and now for one that is due', () => {
    const notices = portalNotifications(rowsFor([assignment({ kind: 'uninstall', timing: 'asap' })]), now);
    expect(notices.map((x) => x.text)).toEqual(['Firefox ESR 115 will be removed from pc-12 now']);
  });

  it('says nothing of the user’s own selections, of running installs or of installs more than a day away', () => {
    const later = new Date('2027-01-06T11:00:00Z'); // Wed noon: the next window is next Tuesday
    expect(portalNotifications(rowsFor([assignment({ mandatory: false })]), now)).toEqual([]);
    expect(portalNotifications(rowsFor([assignment({ state: 'installing' })]), now)).toEqual([]);
    expect(portalNotifications(rowsFor([assignment()], [], later), later)).toEqual([]);
  });

  it('warns of a deadline within 48 h when the install itself is further than 24 h away', () => {
    const wed = new Date('2027-01-06T11:00:00Z');
    // The deadline (Fri 01:00 Berlin) comes before next Tuesday's window: the install runs then.
    const rows = rowsFor([assignment({ deadline: '2027-01-08T00:00:00Z' })], [], wed);
    expect(rows.map((r) => [r.event, r.at])).toEqual([
      ['deadline', '2027-01-08T00:00:00.000Z'],
      ['install', '2027-01-08T00:00:00.000Z'],
    ]);
    expect(portalNotifications(rows, wed).map((x) => [x.type, x.text])).toEqual([['deadline', 'Deadline in 2 days: Firefox ESR 115 will be installed on pc-12 by Fri 01:00 at the latest']]);
  });

  it('gives one notice per install: the start wins over its deadline', () => {
    const rows = rowsFor([assignment({ deadline: '2027-01-06T12:00:00Z' })]);
    expect(rows.map((r) => r.event)).toEqual(['install', 'deadline']);
    expect(portalNotifications(rows, now).map((x) => x.type)).toEqual(['soon']);
  });

  it('lists notices of several machines soonest first', () => {
    const other = { id: 'm2', hostname: 'lab-3' };
    const rows = [...rowsFor([assignment()]), ...rowsFor([assignment({ timing: 'at', startAt: '2027-01-05T13:00:00Z' })], [], now, other)];
    expect(portalNotifications(rows, now).map((x) => x.text)).toEqual(['Firefox ESR 115 will be installed on lab-3 Tue 14:00 (in 2 h)', 'Firefox ESR 115 will be installed on pc-12 Tue 22:00 (in 10 h)']);
  });
});

describe('buildTimeline', () => {
  it('dates offers by their expiry, lists held work without a time, and leaves out what the plan dropped', () => {
    const pending = assignment();
    const offered: AssignmentFacts = { ...factsOf(assignment()), state: 'offered', jobKind: 'offer', jobDeadline: new Date('2027-01-10T12:00:00Z'), what: 'GIMP 2.10' };
    const held: AssignmentFacts = { ...factsOf(assignment()), state: 'held', what: 'VLC 3' };
    const expiredPackage: AssignmentFacts = { ...factsOf(assignment()), what: 'Old 1' };
    const plan: Plan = { machineId: 'm1', version: 1, pollSeconds: 60, jitterSeconds: 30, timeZone: 'UTC', windows: [], blackoutDates: [], contentSources: [], assignments: [pending] };
    const result = buildTimeline(machine, plan, [factsOf(pending), offered, held, expiredPackage], now);
    expect(result.pending.map((p) => [p.what, p.at])).toEqual([
      ['Firefox ESR 115', now.toISOString()],
      ['VLC 3', null],
    ]);
    expect(result.timeline.map((r) => [r.event, r.what, r.at])).toEqual([
      ['install', 'Firefox ESR 115', now.toISOString()],
      ['offer_expires', 'GIMP 2.10', '2027-01-10T12:00:00.000Z'],
    ]);
  });
});
