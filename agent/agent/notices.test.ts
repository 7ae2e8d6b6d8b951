import { describe, expect, it } from 'vitest';
import type { Plan, PlanAssignment } from '../../lib/contract/agent-api';
import { portalNotifications } from '../../lib/portal/notifications';
import { buildTimeline } from '../../lib/portal/timeline';
import { noticeLines } from './cli';
import type { LocalAssignment } from './local-state';
import { planNotices } from './notices';

// Tuesday 12:00 in Berlin; the machine installs Tuesdays 22:00-02:00. The clock is injected.
const now = new Date('2027-01-05T11:00:00Z');
let n = 0;
const assignment = (extra: Partial<PlanAssignment> = {}): PlanAssignment => {
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
    loadSpreading: true,
    maxConcurrent: null,
    askTurn: false,
    mandatory: true,
    package: null,
    ...extra,
  };
};
const planOf = (...assignments: PlanAssignment[]): Plan => ({
  machineId: '11111111-1111-4111-8111-111111111111',
  version: 1,
  pollSeconds: 60,
  jitterSeconds: 30,
  timeZone: 'Europe/Berlin',
  windows: [{ day: 2, start: '22:00', minutes: 240 }],
  blackoutDates: [], contentSources: [],
  assignments,
});

describe('planNotices', () => {
  const required = assignment({ jobName: 'Firefox ESR' });
  const removal = assignment({ jobName: 'Old VPN', kind: 'uninstall', timing: 'asap' });
  const chosen = assignment({ jobName: 'GIMP', mandatory: false });
  const inventory = assignment({ jobName: 'Inventory', kind: 'inventory', timing: 'asap' });
  // Deferred to Wednesday noon: the next window is then next Tuesday, so the deadline comes first.
  const farDeadline = assignment({ jobName: 'Office', notBefore: '2027-01-06T11:00:00Z', deadline: '2027-01-07T10:00:00Z' });
  const plan = planOf(required, removal, chosen, inventory, farDeadline);

  it('announces admins’ installs and removals within 24 h and deadlines within 48 h, soonest first', () => {
    const texts = planNotices(plan, now).map((x) => x.text);
    expect(texts).toHaveLength(3);
    expect(texts[0]).toBe('Old VPN will be removed from this machine now');
    // Load spreading: the agent's own spread minute inside the 22:00-02:00 window.
    expect(texts[1]).toMatch(/^Firefox ESR will be installed on this machine (Tue 2[23]|Wed 0[01]):\d\d \(in \d+ h\)$/);
    expect(texts[2]).toBe('Deadline in 2 days: Office will be installed on this machine by Thu 11:00 at the latest');
  });

  it('says what the portal says about the same plan at the same instant', () => {
    const facts = plan.assignments.map((a) => ({
      assignmentId: a.assignmentId,
      attempt: a.attempt,
      state: a.state,
      jobId: a.jobId,
      jobName: a.jobName,
      jobKind: a.mandatory ? a.kind : ('offer' as const),
      jobDeadline: a.deadline ? new Date(a.deadline) : null,
      what: a.jobName,
      allowInstallNow: false,
      deferralLimit: null,
      deferrals: 0,
      runNow: false,
      mandatory: a.mandatory,
    }));
    const portal = portalNotifications(buildTimeline({ id: plan.machineId, hostname: 'pc-12' }, plan, facts, now).timeline, now);
    expect(portal.map((x) => x.text.replace('pc-12', 'this machine'))).toEqual(planNotices(plan, now).map((x) => x.text));
  });

  it('leaves out in status what this machine finished or is running but has not reported yet', () => {
    const local = new Map<string, LocalAssignment>([[removal.assignmentId, { attempt: 1, state: 'installed', at: now.toISOString() }]]);
    const lines = noticeLines(plan, { get: (id, attempt) => (local.get(id)?.attempt === attempt ? local.get(id)! : null) }, now);
    expect(lines[0]).toBe('Notices:');
    expect(lines.slice(1).map((l) => l.trim().split(' will ')[0])).toEqual(['Firefox ESR', 'Deadline in 2 days: Office']);
    expect(noticeLines(planOf(chosen), { get: () => null }, now)).toEqual([]);
  });
});
