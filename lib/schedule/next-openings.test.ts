/**
 * The portal's preview of the next openings against the agent's own choice, on the days clocks
 * change. Cases are drawn (seeded, so a failure replays) around every DST transition of 2026-2030
 * in zones that change at odd hours and by odd amounts: Lord Howe by 30 minutes, Santiago at
 * midnight, Casablanca for Ramadan, Chatham at +12:45/+13:45, and zones that no longer change.
 */
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { installationWindowsSchema, weekStart, WEEK_MINUTES, type InstallationWindow } from '@/lib/contract/installation-window';
import { localDate } from './blackout';
import { installTime, type AssignmentTiming } from './install-time';
import { isOpen, nextOpening, nextOpenings } from './next-opening';

const PROPERTY_TIMEOUT_MS = 120_000;
const SEED = 20260705;

const ZONES = [
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Asia/Tehran',
  'America/Santiago',
  'Africa/Casablanca',
  'UTC',
];

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2031, 0, 1);

/** Every instant (to the minute) a zone's offset changes between 2026 and 2030. */
function transitionsOf(name: string): number[] {
  const zone = IANAZone.create(name);
  const found: number[] = [];
  for (let day = FROM; day < TO; day += DAY) {
    if (zone.offset(day) === zone.offset(day + DAY)) continue;
    let lo = day;
    let hi = day + DAY;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (zone.offset(mid) === zone.offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}
const TRANSITIONS = Object.fromEntries(ZONES.map((z) => [z, transitionsOf(z)]));

const pad = (n: number) => String(n).padStart(2, '0');
const windowAt = (minuteOfWeek: number, minutes: number): InstallationWindow => {
  const m = ((minuteOfWeek % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  return { day: Math.floor(m / 1440), start: `${pad(Math.floor((m % 1440) / 60))}:${pad(m % 60)}`, minutes };
};
const minuteOfWeek = (t: number, zone: string) => {
  const local = DateTime.fromMillis(t, { zone });
  return (local.weekday % 7) * 1440 + local.hour * 60 + local.minute;
};
/** The oracle: the instant's wall-clock time lies inside one of the windows' clock-face intervals. */
const insideWallClock = (ws: InstallationWindow[], zone: string, t: number) =>
  ws.some((w) => (((minuteOfWeek(t, zone) - weekStart(w)) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES < w.minutes);
const dayOf = (t: number, zone: string) => localDate(t, IANAZone.create(zone));

const windowArb = fc.record({ minute: fc.integer({ min: 0, max: WEEK_MINUTES - 1 }), minutes: fc.oneof(fc.integer({ min: 1, max: 1440 }), fc.constantFrom(30, 60, 240, 600, 1440)) });

/**
 * One case: a zone, an instant up to four days before one of its transitions (any instant for a
 * zone without any), windows of which one is placed around the transition's wall-clock time
 * (starting in the skipped hour, in the repeated hour, across it, or overnight into it), and
 * blackout dates near now, sometimes the transition's own day.
 */
const caseArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    pick: fc.nat(),
    anyInstant: fc.integer({ min: FROM, max: TO - 30 * DAY }),
    lead: fc.integer({ min: 0, max: 4 * 1440 }),
    nearTransition: fc.option(fc.record({ shift: fc.integer({ min: -180, max: 120 }), minutes: fc.integer({ min: 1, max: 1440 }) }), { freq: 4, nil: null }),
    others: fc.array(windowArb, { maxLength: 3 }),
    blackout: fc.array(fc.integer({ min: -1, max: 30 }), { maxLength: 5 }),
    blackoutTransitionDay: fc.boolean(),
  })
  .map((c) => {
    const ts = TRANSITIONS[c.zone];
    const transition = ts.length ? ts[c.pick % ts.length] : null;
    const now = (transition ?? c.anyInstant) - c.lead * 60_000;
    const candidates: InstallationWindow[] = [];
    // Its wall time just before the change: the skipped (or repeated) hour starts there.
    if (transition !== null && c.nearTransition) candidates.push(windowAt(minuteOfWeek(transition - 60_000, c.zone) + 1 + c.nearTransition.shift, c.nearTransition.minutes));
    candidates.push(...c.others.map((o) => windowAt(o.minute, o.minutes)));
    // Keep the windows that do not overlap the ones before them (a machine's windows never do).
    const windows = candidates.reduce<InstallationWindow[]>((kept, w) => (installationWindowsSchema.safeParse([...kept, w]).success ? [...kept, w] : kept), []);
    const today = DateTime.fromMillis(now, { zone: c.zone }).startOf('day');
    const blackoutDates = [...new Set([...c.blackout.map((d) => today.plus({ days: d }).toISODate()!), ...(transition !== null && c.blackoutTransitionDay ? [dayOf(transition, c.zone)] : [])])].sort();
    return { zone: c.zone, now: new Date(now), windows, blackoutDates, transition };
  });

const windowsTiming = (notBefore: Date | null): AssignmentTiming => ({ kind: 'install', timing: 'windows', startAt: null, notBefore: notBefore?.toISOString() ?? null, deadline: null, loadSpreading: false });

describe('nextOpenings on DST transition days, 2026-2030 (seeded)', () => {
  it('finds the transitions it tests around', () => {
    expect(TRANSITIONS['America/New_York']).toHaveLength(10);
    // Lord Howe changes by half an hour; Chatham keeps its 45 minutes; Casablanca leaves +01 for Ramadan.
    expect(TRANSITIONS['Australia/Lord_Howe']).toHaveLength(10);
    expect(TRANSITIONS['Pacific/Chatham']).toHaveLength(10);
    expect(TRANSITIONS['Africa/Casablanca'].length).toBeGreaterThanOrEqual(8);
    expect(TRANSITIONS['Asia/Kolkata']).toEqual([]);
  });

  it('lists openings that start inside a window’s wall-clock hours, strictly in order, each the next one from the end of the one before', () => {
    fc.assert(
      fc.property(caseArb, ({ zone, now, windows, blackoutDates }) => {
        const options = { blackoutDates };
        const list = nextOpenings(windows, zone, now, 5, options);
        if (windows.length === 0) {
          expect(list).toEqual([nextOpening([], zone, now, options)]);
          return;
        }
        expect(list).toHaveLength(5);
        expect(list[0]).toEqual(nextOpening(windows, zone, now, options));
        expect(list[0].end!.getTime()).toBeGreaterThan(now.getTime());
        list.forEach((o, i) => {
          expect(o.end!.getTime()).toBeGreaterThan(o.start.getTime());
          expect(insideWallClock(windows, zone, o.start.getTime())).toBe(true);
          if (i === 0) return;
          const before = list[i - 1];
          expect(o.start.getTime()).toBeGreaterThan(before.start.getTime());
          expect(o.start.getTime()).toBeGreaterThanOrEqual(before.end!.getTime());
          expect(o).toEqual(nextOpening(windows, zone, before.end!, options));
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('starts nothing on a blackout day, and every minute of each opening is on an allowed day', () => {
    fc.assert(
      fc.property(caseArb, ({ zone, now, windows, blackoutDates }) => {
        const list = nextOpenings(windows, zone, now, 5, { blackoutDates });
        for (const o of list) {
          const from = Math.max(o.start.getTime(), now.getTime());
          expect(blackoutDates).not.toContain(dayOf(from, zone));
          if (!o.end) continue;
          for (const f of [0.3, 0.7, 1]) expect(blackoutDates).not.toContain(dayOf(from + Math.floor((o.end.getTime() - 60_000 - from) * f), zone));
        }
      }),
      { seed: SEED + 1, numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('equals what the agent chooses: installTime of an install in the windows, from now and from the end of each opening', () => {
    fc.assert(
      fc.property(caseArb, ({ zone, now, windows, blackoutDates }) => {
        const options = { blackoutDates };
        const list = nextOpenings(windows, zone, now, 5, options);
        list.forEach((o, i) => {
          const agent = installTime(windowsTiming(i === 0 ? null : list[i - 1].end), windows, zone, now, 0, options);
          expect(agent.toISOString()).toBe(new Date(Math.max(now.getTime(), o.start.getTime())).toISOString());
          expect(isOpen(windows, zone, agent, options)).toBe(true);
        });
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('nextOpenings at known transitions', () => {
  const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('ccc dd HH:mm ZZ');

  it('opens a window that starts in Lord Howe’s skipped half hour at 02:30', () => {
    // 2027-10-03: 02:00 → 02:30 (+10:30 → +11).
    const list = nextOpenings([{ day: 0, start: '02:00', minutes: 60 }], 'Australia/Lord_Howe', new Date('2027-10-01T00:00:00Z'), 2);
    expect(list.map((o) => `${local(o.start, 'Australia/Lord_Howe')} → ${local(o.end!, 'Australia/Lord_Howe')}`)).toEqual(['Sun 03 02:30 +11:00 → Sun 03 03:00 +11:00', 'Sun 10 02:00 +11:00 → Sun 10 03:00 +11:00']);
  });

  it('starts a window in New York’s repeated hour at its first occurrence, and runs it to its wall-clock end', () => {
    // 2027-11-07: 02:00 EDT → 01:00 EST.
    const [o] = nextOpenings([{ day: 0, start: '01:30', minutes: 60 }], 'America/New_York', new Date('2027-11-06T12:00:00Z'), 1);
    expect([local(o.start, 'America/New_York'), local(o.end!, 'America/New_York')]).toEqual(['Sun 07 01:30 -04:00', 'Sun 07 02:30 -05:00']);
  });

  it('skips a Santiago Saturday-night window whose day is blacked out, even though midnight never comes', () => {
    // 2026-09-06 starts at 01:00 (-03): Sat 23:00 for 3 h runs to 03:00 on the clock.
    const ws = [{ day: 6, start: '23:00', minutes: 180 }];
    const [o] = nextOpenings(ws, 'America/Santiago', new Date('2026-09-05T12:00:00Z'), 1, { blackoutDates: ['2026-09-06'] });
    // Cut at the blackout day's first instant, 01:00 -03.
    expect([local(o.start, 'America/Santiago'), local(o.end!, 'America/Santiago')]).toEqual(['Sat 05 23:00 -04:00', 'Sun 06 01:00 -03:00']);
  });
});
