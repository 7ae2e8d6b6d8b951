import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { installationWindowsSchema, weekStart, WEEK_MINUTES, type InstallationWindow } from '@/lib/contract/installation-window';
import { checkGuardrails, describeEnvelope, firstOutside, mergeWeekIntervals, openMinutesPerWeek, violationField, type GroupGuardrails } from './guardrails';

const every = (start: string, minutes: number): InstallationWindow[] => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start, minutes }));
// "Only outside 08:00-18:00": 18:00 → 08:00 each day.
const outsideWorkingHours = every('18:00', 840);
const laptops: GroupGuardrails = { groupId: 'g-laptops', groupName: 'Laptops', windowEnvelope: outsideWorkingHours, minOpenMinutes: 600 };

describe('checkGuardrails', () => {
  it('names the window, the group and the hours it may use', () => {
    const v = checkGuardrails([{ day: 1, start: '20:00', minutes: 60 }, { day: 1, start: '09:00', minutes: 120 }], [{ ...laptops, minOpenMinutes: null }]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ rule: 'envelope', window: 1, groupName: 'Laptops' });
    expect(v[0].message).toBe('Window 2 (Mon 09:00 for 2 h) runs Mon 09:00–11:00, outside the hours group Laptops allows: every day 18:00–08:00.');
    expect(violationField(v[0])).toBe('windows.1');
  });

  it('says which part of a window sticks out, across midnight and the week’s end', () => {
    // Sat 20:00 for 14 h runs to Sun 10:00; Sun 08:00-10:00 is outside.
    const [v] = checkGuardrails([{ day: 6, start: '20:00', minutes: 840 }], [laptops]);
    expect(v.message).toContain('runs Sun 08:00–10:00, outside');
    // Fully inside an overnight stretch that crosses the week’s end: fine.
    expect(checkGuardrails([{ day: 6, start: '23:00', minutes: 540 }], [{ ...laptops, minOpenMinutes: 0 }])).toEqual([]);
  });

  it('intersects the envelopes of all the machine’s groups', () => {
    const nights: GroupGuardrails = { groupId: 'g-n', groupName: 'Night shift', windowEnvelope: every('00:00', 360), minOpenMinutes: null };
    const w = [{ day: 2, start: '19:00', minutes: 60 }];
    // Inside Laptops' hours, outside Night shift's 00:00-06:00.
    const v = checkGuardrails(w, [{ ...laptops, minOpenMinutes: null }, nights]);
    expect(v.map((x) => x.groupName)).toEqual(['Night shift']);
    expect(checkGuardrails([{ day: 2, start: '01:00', minutes: 60 }], [{ ...laptops, minOpenMinutes: null }, nights])).toEqual([]);
  });

  it('needs the strictest minimum of open hours a week, naming its group', () => {
    const small: GroupGuardrails = { groupId: 'g-s', groupName: 'Lab', windowEnvelope: null, minOpenMinutes: 120 };
    const v = checkGuardrails([{ day: 1, start: '20:00', minutes: 180 }], [small, laptops]);
    expect(v).toEqual([
      { rule: 'min_open', window: null, groupId: 'g-laptops', groupName: 'Laptops', openMinutes: 180, neededMinutes: 600, message: '3 h a week is open; group Laptops needs at least 10 h so mandatory installs cannot be starved.' },
    ]);
    expect(violationField(v[0])).toBe('windows');
    expect(checkGuardrails([{ day: 1, start: '20:00', minutes: 600 }], [small, laptops])).toEqual([]);
  });

  it('treats no windows as "any time": outside any envelope, never short of open hours', () => {
    const v = checkGuardrails([], [laptops]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ rule: 'envelope', window: null });
    expect(v[0].message).toContain('No windows means any time');
    expect(checkGuardrails([], [{ ...laptops, windowEnvelope: null }])).toEqual([]);
  });

  it('describes envelopes in words', () => {
    expect(describeEnvelope(outsideWorkingHours)).toBe('every day 18:00–08:00');
    const weekdaysAndWeekend = [1, 2, 3, 4].map((day) => ({ day, start: '18:00', minutes: 840 })).concat([{ day: 5, start: '18:00', minutes: 1440 }, { day: 6, start: '18:00', minutes: 1440 }, { day: 0, start: '18:00', minutes: 840 }]);
    expect(describeEnvelope(weekdaysAndWeekend)).toBe('Mon 18:00–Tue 08:00, Tue 18:00–Wed 08:00, Wed 18:00–Thu 08:00, Thu 18:00–Fri 08:00, Fri 18:00–Mon 08:00');
    expect(describeEnvelope(every('00:00', 1440))).toBe('any time');
    expect(describeEnvelope([{ day: 3, start: '09:00', minutes: 120 }])).toBe('Wed 09:00–11:00');
  });
});

// The oracle: a bitmap of the week's 10,080 minutes.
function minutesOf(windows: readonly InstallationWindow[]): Uint8Array {
  const week = new Uint8Array(WEEK_MINUTES);
  for (const w of windows) for (let m = 0; m < w.minutes; m++) week[(weekStart(w) + m) % WEEK_MINUTES] = 1;
  return week;
}

const windowArb = fc.record({
  day: fc.integer({ min: 0, max: 6 }),
  start: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45, 59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  minutes: fc.oneof(fc.integer({ min: 1, max: 1440 }), fc.constantFrom(60, 600, 840, 1440)),
});
const windowsArb = (max: number) => fc.array(windowArb, { maxLength: max }).filter((ws) => installationWindowsSchema.safeParse(ws).success);
const SEED = { seed: 20260705, numRuns: 400 };
// Hundreds of cases each: allow for a loaded 2-core machine.
const PROPERTY_TIMEOUT_MS = 60_000;

describe('guardrail properties (seeded)', () => {
  it('merging covers exactly the minutes the windows cover', () => {
    fc.assert(
      fc.property(windowsArb(6), (ws) => {
        const oracle = minutesOf(ws);
        const merged = mergeWeekIntervals(ws);
        const fromMerged = new Uint8Array(WEEK_MINUTES);
        for (const i of merged) for (let m = i.start; m < i.end; m++) fromMerged[m % WEEK_MINUTES] = 1;
        expect(Buffer.compare(fromMerged, oracle)).toBe(0);
        expect(openMinutesPerWeek(ws)).toBe(oracle.reduce((a, b) => a + b, 0));
        // Disjoint, not touching, each starting within the week.
        for (let i = 1; i < merged.length; i++) expect(merged[i].start).toBeGreaterThan(merged[i - 1].end);
        if (merged.length > 1) expect(merged[merged.length - 1].end).toBeLessThan(merged[0].start + WEEK_MINUTES);
      }),
      SEED,
    );
  }, PROPERTY_TIMEOUT_MS);

  it('flags a window exactly when one of its minutes is outside the envelope, and names the first such stretch', () => {
    fc.assert(
      fc.property(windowArb, windowsArb(6).filter((e) => e.length > 0), (w, envelope) => {
        const allowed = minutesOf(envelope);
        const minutes = Array.from({ length: w.minutes }, (_, m) => weekStart(w) + m);
        const firstBad = minutes.findIndex((m) => !allowed[m % WEEK_MINUTES]);
        const outside = firstOutside(w, envelope);
        if (firstBad === -1) {
          expect(outside).toBeNull();
          return;
        }
        expect(outside!.start).toBe(minutes[firstBad]);
        // Every minute of the stretch is outside; the one after it is inside or past the window.
        for (let m = outside!.start; m < outside!.end; m++) expect(allowed[m % WEEK_MINUTES]).toBe(0);
        expect(outside!.end === weekStart(w) + w.minutes || allowed[outside!.end % WEEK_MINUTES] === 1).toBe(true);
      }),
      SEED,
    );
  }, PROPERTY_TIMEOUT_MS);

  it('never flags windows cut from inside the envelope, wherever the week is turned', () => {
    fc.assert(
      fc.property(windowsArb(6).filter((e) => e.length > 0), fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 6 }), (envelope, pick, a, b, turnDays) => {
        const e = envelope[pick % envelope.length];
        const from = Math.floor(Math.min(a, b) * (e.minutes - 1));
        const length = Math.max(1, Math.floor(Math.abs(a - b) * (e.minutes - from)));
        const s = weekStart(e) + from;
        // Turning the week by whole days (both alike) changes nothing.
        const turn = (w: InstallationWindow) => ({ ...w, day: (w.day + turnDays) % 7 });
        const inner: InstallationWindow = { day: Math.floor(s / 1440) % 7, start: `${String(Math.floor((s % 1440) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`, minutes: length };
        const g: GroupGuardrails = { groupId: 'g', groupName: 'G', windowEnvelope: envelope, minOpenMinutes: null };
        expect(checkGuardrails([inner], [g])).toEqual([]);
        expect(checkGuardrails([turn(inner)], [{ ...g, windowEnvelope: envelope.map(turn) }])).toEqual([]);
      }),
      SEED,
    );
  }, PROPERTY_TIMEOUT_MS);

  it('reports each window outside each envelope once, and the minimum iff the open time falls short', () => {
    fc.assert(
      fc.property(windowsArb(5), fc.array(fc.record({ envelope: fc.option(windowsArb(6).filter((e) => e.length > 0), { nil: null }), min: fc.option(fc.integer({ min: 0, max: WEEK_MINUTES }), { nil: null }) }), { maxLength: 3 }), (ws, gs) => {
        const groups: GroupGuardrails[] = gs.map((g, i) => ({ groupId: `g${i}`, groupName: `G${i}`, windowEnvelope: g.envelope, minOpenMinutes: g.min }));
        const v = checkGuardrails(ws, groups);
        const envelopeHits = v.filter((x) => x.rule === 'envelope');
        const expected = groups.flatMap((g) => (g.windowEnvelope ? (ws.length === 0 ? [`${g.groupId}:null`] : ws.flatMap((w, i) => (firstOutside(w, g.windowEnvelope!) ? [`${g.groupId}:${i}`] : []))) : []));
        expect(envelopeHits.map((x) => `${x.groupId}:${x.window}`)).toEqual(expected);
        const need = Math.max(0, ...groups.map((g) => g.minOpenMinutes ?? 0));
        const open = ws.length === 0 ? WEEK_MINUTES : openMinutesPerWeek(ws);
        expect(v.some((x) => x.rule === 'min_open')).toBe(open < need);
        for (const x of v) expect(x.message).toContain(x.groupName);
      }),
      SEED,
    );
  }, PROPERTY_TIMEOUT_MS);
});
