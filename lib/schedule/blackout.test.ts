import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { installationWindowsSchema } from '@/lib/contract/installation-window';
import { localDate } from './blackout';
import { installTime, type AssignmentTiming } from './install-time';
import { isOpen, nextOpening, nextOpenings } from './next-opening';

// Thousands of cases over every zone: seconds of CPU, more on a loaded 2-core machine.
const PROPERTY_TIMEOUT_MS = 60_000;

const iso = (d: Date | null) => d?.toISOString() ?? null;
const at = (s: string) => new Date(s);
const base: AssignmentTiming = { kind: 'install', timing: 'windows', startAt: null, notBefore: null, deadline: null, loadSpreading: false };
// Tuesdays 22:00-02:00 in Berlin (UTC+1 in January).
const tz = 'Europe/Berlin';
const tue22 = [{ day: 2, start: '22:00', minutes: 240 }];
const tuesNoon = at('2027-01-05T11:00:00Z'); // Tue 2027-01-05 12:00
const TUE = '2027-01-05';
const WED = '2027-01-06';
const WED_MIDNIGHT = '2027-01-05T23:00:00.000Z'; // Wed 00:00 in Berlin

describe('blackout dates in nextOpening', () => {
  it('skips a window that opens on a blackout day, even its part after midnight', () => {
    const o = nextOpening(tue22, tz, tuesNoon, { blackoutDates: [TUE] });
    expect(iso(o.start)).toBe('2027-01-12T21:00:00.000Z');
    expect(isOpen(tue22, tz, at('2027-01-06T00:30:00Z'), { blackoutDates: [TUE] })).toBe(false);
  });

  it('cuts a window that runs into a blackout day at that day’s midnight', () => {
    const o = nextOpening(tue22, tz, tuesNoon, { blackoutDates: [WED] });
    expect({ start: iso(o.start), end: iso(o.end) }).toEqual({ start: '2027-01-05T21:00:00.000Z', end: WED_MIDNIGHT });
    // "Still open?" says no from midnight on, where it said yes without the blackout.
    expect(isOpen(tue22, tz, at('2027-01-05T23:30:00Z'))).toBe(true);
    expect(isOpen(tue22, tz, at('2027-01-05T23:30:00Z'), { blackoutDates: [WED] })).toBe(false);
  });

  it('makes "any time" wait for the end of a blackout run', () => {
    expect(nextOpening([], tz, tuesNoon, { blackoutDates: [TUE, WED] })).toEqual({ start: at('2027-01-06T23:00:00Z'), end: null });
    expect(isOpen([], tz, tuesNoon, { blackoutDates: [TUE] })).toBe(false);
    expect(isOpen([], tz, tuesNoon, { blackoutDates: [WED] })).toBe(true);
  });

  it('looks past many weeks of blackout dates', () => {
    const tuesdays = Array.from({ length: 60 }, (_, i) => DateTime.fromISO(TUE, { zone: 'UTC' }).plus({ weeks: i }).toISODate()!);
    const o = nextOpening(tue22, tz, tuesNoon, { blackoutDates: tuesdays });
    expect(DateTime.fromJSDate(o.start, { zone: tz }).toISODate()).toBe(DateTime.fromISO(TUE).plus({ weeks: 60 }).toISODate());
    expect(nextOpenings(tue22, tz, tuesNoon, 3, { blackoutDates: tuesdays })).toHaveLength(3);
  });

  it('starts a day at its first instant where midnight does not exist or happens twice', () => {
    // Santiago springs forward at 00:00 on 2026-09-06: that day starts at 01:00 (-03).
    expect(nextOpening([], 'America/Santiago', at('2026-09-05T12:00:00Z'), { blackoutDates: ['2026-09-05'] }).start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    // Havana falls back 01:00 → 00:00 on 2026-11-01: that day starts at the first 00:00 (-04),
    // 04:00Z; luxon's startOf('day') says 05:00Z and would leave an hour of it open.
    const sat22 = [{ day: 6, start: '22:00', minutes: 240 }];
    const o = nextOpening(sat22, 'America/Havana', at('2026-10-31T12:00:00Z'), { blackoutDates: ['2026-11-01'] });
    expect({ start: iso(o.start), end: iso(o.end) }).toEqual({ start: '2026-11-01T02:00:00.000Z', end: '2026-11-01T04:00:00.000Z' });
    expect(isOpen(sat22, 'America/Havana', at('2026-11-01T04:30:00Z'), { blackoutDates: ['2026-11-01'] })).toBe(false);
  });
});

describe('blackout dates in installTime', () => {
  const asap = { ...base, timing: 'asap' as const };

  it('moves asap, at and not-before times on a blackout day to the next day’s first instant in the zone', () => {
    expect(iso(installTime(asap, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] }))).toBe(WED_MIDNIGHT);
    expect(iso(installTime(asap, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE, WED] }))).toBe('2027-01-06T23:00:00.000Z');
    expect(iso(installTime({ ...base, timing: 'at', startAt: '2027-01-06T08:00:00Z' }, tue22, tz, tuesNoon, 0, { blackoutDates: [WED] }))).toBe('2027-01-06T23:00:00.000Z');
    expect(iso(installTime({ ...asap, notBefore: '2027-01-05T15:00:00Z' }, tue22, tz, at('2027-01-04T11:00:00Z'), 0, { blackoutDates: [TUE] }))).toBe(WED_MIDNIGHT);
    // The day before is not held.
    expect(installTime(asap, tue22, tz, tuesNoon, 0, { blackoutDates: [WED] })).toEqual(tuesNoon);
  });

  it('leaves inventory alone: it only reads facts', () => {
    expect(installTime({ ...asap, kind: 'inventory' }, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] })).toEqual(tuesNoon);
  });

  it('waits for the next window opening that is not on a blackout day', () => {
    expect(iso(installTime(base, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] }))).toBe('2027-01-12T21:00:00.000Z');
    expect(iso(installTime(base, tue22, tz, tuesNoon, 0, { blackoutDates: [WED] }))).toBe('2027-01-05T21:00:00.000Z');
  });

  it('never spreads an install earlier because its window was cut short', () => {
    // 0.9 of the way through Tue 22:00-02:00 is Wed 01:35, a blackout day: not Tue 23:47 (0.9 of
    // the cut window), but 0.9 of the way through the next allowed opening.
    const spread = { ...base, loadSpreading: true };
    expect(iso(installTime(spread, tue22, tz, tuesNoon, 0.9))).toBe('2027-01-06T00:35:00.000Z');
    expect(iso(installTime(spread, tue22, tz, tuesNoon, 0.9, { blackoutDates: [WED] }))).toBe('2027-01-13T00:35:00.000Z');
    // Spread minutes before midnight stay where they were.
    expect(iso(installTime(spread, tue22, tz, tuesNoon, 0.2, { blackoutDates: [WED] }))).toBe('2027-01-05T21:47:00.000Z');
  });

  it('lets a blackout win over a deadline: the deadline waits for the first allowed instant', () => {
    // The deadline (Tue 15:00) falls on the blackout day: Wed 00:00, not next week's window.
    expect(iso(installTime({ ...base, deadline: '2027-01-05T14:00:00Z' }, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] }))).toBe(WED_MIDNIGHT);
    // Passed already, on a blackout day: also the first allowed instant, window or not.
    expect(iso(installTime({ ...base, deadline: '2027-01-01T00:00:00Z' }, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] }))).toBe(WED_MIDNIGHT);
    // Before the next allowed opening: at the deadline.
    expect(iso(installTime({ ...base, deadline: '2027-01-08T12:00:00Z' }, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] }))).toBe('2027-01-08T12:00:00.000Z');
    // After it: the opening.
    expect(iso(installTime({ ...base, deadline: '2027-01-20T12:00:00Z' }, tue22, tz, tuesNoon, 0, { blackoutDates: [TUE] }))).toBe('2027-01-12T21:00:00.000Z');
  });
});

// Every zone the platform knows, from UTC-12 to UTC+14, DST at midnight, half and quarter hours.
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];

const windowArb = fc.record({
  day: fc.integer({ min: 0, max: 6 }),
  start: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  minutes: fc.integer({ min: 1, max: 1440 }),
});
const windowsArb = fc.array(windowArb, { maxLength: 4 }).filter((ws) => installationWindowsSchema.safeParse(ws).success);
const instantArb = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 11, 31) }).map((t) => new Date(t - (t % 60_000)));
const offsetArb = fc.option(fc.integer({ min: -3 * 86_400, max: 30 * 86_400 }).map((s) => s * 1000), { nil: null });
const timingArb = fc.record({
  kind: fc.constantFrom('install' as const, 'uninstall' as const, 'inventory' as const),
  timing: fc.constantFrom('asap' as const, 'at' as const, 'windows' as const),
  startAt: offsetArb,
  notBefore: offsetArb,
  deadline: offsetArb,
  loadSpreading: fc.boolean(),
});
/** Single days and runs of days around now, so they matter (day offsets in the zone). */
const blackoutArb = fc.tuple(fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 8 }), fc.option(fc.tuple(fc.integer({ min: -2, max: 20 }), fc.integer({ min: 1, max: 30 }))));

function datesOf([days, run]: [number[], [number, number] | null], zone: string, now: Date): string[] {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const offsets = [...days, ...(run ? Array.from({ length: run[1] }, (_, i) => run[0] + i) : [])];
  return offsets.map((d) => today.plus({ days: d }).toISODate()!);
}
function timingOf(t: typeof timingArb extends fc.Arbitrary<infer T> ? T : never, now: Date): AssignmentTiming {
  const when = (ms: number | null) => (ms === null ? null : new Date(now.getTime() + ms).toISOString());
  return { ...t, startAt: t.timing === 'at' ? (when(t.startAt) ?? now.toISOString()) : null, notBefore: when(t.notBefore), deadline: when(t.deadline) };
}
const dayOf = (d: Date, zone: string) => localDate(d.getTime(), IANAZone.create(zone));

describe('blackout properties, over every IANA zone', () => {
  it('never starts an install on a blackout day, never earlier than without blackouts', () => {
    fc.assert(
      fc.property(timingArb, windowsArb, fc.constantFrom(...ZONES), instantArb, blackoutArb, fc.double({ min: 0, max: 0.999999, noNaN: true }), (t, ws, zone, now, b, spread) => {
        const a = timingOf(t, now);
        const blackoutDates = datesOf(b, zone, now);
        const plain = installTime(a, ws, zone, now, spread);
        const held = installTime(a, ws, zone, now, spread, { blackoutDates });
        expect(held.getTime()).toBeGreaterThanOrEqual(plain.getTime());
        if (a.kind !== 'inventory') expect(blackoutDates).not.toContain(dayOf(held, zone));
        // Without a deadline, a windows install still lands inside an opening, with the blackout cuts.
        if (a.kind !== 'inventory' && a.timing === 'windows' && !a.deadline) expect(isOpen(ws, zone, held, { blackoutDates })).toBe(true);
      }),
      { numRuns: 1500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('changes nothing without blackout dates, or with dates that are over', () => {
    fc.assert(
      fc.property(timingArb, windowsArb, fc.constantFrom(...ZONES), instantArb, fc.double({ min: 0, max: 0.999999, noNaN: true }), (t, ws, zone, now, spread) => {
        const a = timingOf(t, now);
        const plain = installTime(a, ws, zone, now, spread);
        const past = [DateTime.fromJSDate(now, { zone }).minus({ days: 5 }).toISODate()!, '2020-02-29'];
        expect(installTime(a, ws, zone, now, spread, { blackoutDates: [] })).toEqual(plain);
        expect(installTime(a, ws, zone, now, spread, { blackoutDates: past })).toEqual(plain);
        expect(nextOpening(ws, zone, now, { blackoutDates: past })).toEqual(nextOpening(ws, zone, now));
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('opens only on allowed days and closes by the next blackout day', () => {
    fc.assert(
      fc.property(windowsArb, fc.constantFrom(...ZONES), instantArb, blackoutArb, (ws, zone, now, b) => {
        const blackoutDates = datesOf(b, zone, now);
        const o = nextOpening(ws, zone, now, { blackoutDates });
        const plain = nextOpening(ws, zone, now);
        expect(o.start.getTime()).toBeGreaterThanOrEqual(plain.start.getTime());
        const from = Math.max(o.start.getTime(), now.getTime());
        expect(blackoutDates).not.toContain(dayOf(new Date(from), zone));
        if (o.end) {
          expect(o.end.getTime()).toBeGreaterThan(now.getTime());
          // Every minute of it is on an allowed day: sample its first, last and a few between.
          for (const f of [0.25, 0.5, 0.75, 1]) {
            const t = from + Math.floor((o.end.getTime() - 60_000 - from) * f);
            expect(blackoutDates).not.toContain(dayOf(new Date(t), zone));
          }
        }
      }),
      { numRuns: 1000 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
