import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { installationWindowsSchema, weekStart, WEEK_MINUTES, type InstallationWindow } from '@/lib/contract/installation-window';
import { isOpen, nextOpening, nextOpenings, UnknownTimeZoneError } from './next-opening';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const at = (s: string) => new Date(s);

describe('nextOpening', () => {
  it('is any time without windows', () => {
    const now = at('2027-01-05T10:00:00Z');
    expect(nextOpening([], 'Europe/Berlin', now)).toEqual({ start: now, end: null });
  });

  it('finds the next window in the machine’s zone, or the one open now', () => {
    const tue22 = [{ day: 2, start: '22:00', minutes: 60 }];
    // Tuesday 2027-01-05 12:00 in Berlin (UTC+1): next is 22:00 local = 21:00Z.
    expect(nextOpening(tue22, 'Europe/Berlin', at('2027-01-05T11:00:00Z'))).toEqual({ start: at('2027-01-05T21:00:00Z'), end: at('2027-01-05T22:00:00Z') });
    // Inside it: the open window.
    expect(iso(nextOpening(tue22, 'Europe/Berlin', at('2027-01-05T21:30:00Z')).start)).toBe('2027-01-05T21:00:00.000Z');
    // Just after it: next week.
    expect(iso(nextOpening(tue22, 'Europe/Berlin', at('2027-01-05T22:00:00Z')).start)).toBe('2027-01-12T21:00:00.000Z');
  });

  it('runs a window past midnight', () => {
    const overnight = [{ day: 2, start: '22:00', minutes: 180 }];
    const o = nextOpening(overnight, 'UTC', at('2027-01-06T00:30:00Z')); // Wednesday 00:30: still Tuesday's window
    expect({ start: iso(o.start), end: iso(o.end) }).toEqual({ start: '2027-01-05T22:00:00.000Z', end: '2027-01-06T01:00:00.000Z' });
  });

  it('moves a start that does not exist to the first existing minute (DESIGN.md’s example)', () => {
    // Sunday 02:30-03:30 in New York on 2027-03-14 is 03:00-03:30 EDT.
    const o = nextOpening([{ day: 0, start: '02:30', minutes: 60 }], 'America/New_York', at('2027-03-13T12:00:00Z'));
    expect({ start: iso(o.start), end: iso(o.end) }).toEqual({ start: '2027-03-14T07:00:00.000Z', end: '2027-03-14T07:30:00.000Z' });
  });

  it('takes the first occurrence of a repeated time', () => {
    // 2027-11-07 01:30 happens twice in New York; the first is EDT (05:30Z). 02:30 is EST (07:30Z).
    const o = nextOpening([{ day: 0, start: '01:30', minutes: 60 }], 'America/New_York', at('2027-11-06T12:00:00Z'));
    expect({ start: iso(o.start), end: iso(o.end) }).toEqual({ start: '2027-11-07T05:30:00.000Z', end: '2027-11-07T07:30:00.000Z' });
  });

  it('handles half-hour DST (Lord Howe) and odd offsets (Chatham)', () => {
    // Lord Howe springs forward 02:00 → 02:30 on 2027-10-03 (UTC+10:30 → +11).
    const lh = nextOpening([{ day: 0, start: '02:10', minutes: 30 }], 'Australia/Lord_Howe', at('2027-10-02T00:00:00Z'));
    expect(iso(lh.start)).toBe(DateTime.fromISO('2027-10-03T02:30', { zone: 'Australia/Lord_Howe' }).toUTC().toISO());
    const ch = nextOpening([{ day: 1, start: '09:00', minutes: 60 }], 'Pacific/Chatham', at('2027-01-01T00:00:00Z'));
    expect(DateTime.fromJSDate(ch.start, { zone: 'Pacific/Chatham' }).toFormat('ccc HH:mm')).toBe('Mon 09:00');
  });

  it('looks past a week whose only window falls wholly in the skipped hour', () => {
    // Sunday 02:00-02:30 does not exist in New York on 2027-03-14: the next opening is a week later.
    const o = nextOpening([{ day: 0, start: '02:00', minutes: 30 }], 'America/New_York', at('2027-03-07T12:00:00Z'));
    expect(iso(o.start)).toBe('2027-03-21T06:00:00.000Z');
    expect(isOpen([{ day: 0, start: '02:00', minutes: 30 }], 'America/New_York', at('2027-03-10T12:00:00Z'))).toBe(false);
  });

  it('lists as many openings as asked', () => {
    expect(nextOpenings([{ day: 3, start: '10:00', minutes: 60 }], 'UTC', at('2027-01-01T00:00:00Z'), 100)).toHaveLength(100);
  });

  it('merges windows that touch into one opening', () => {
    const allMonTue = [
      { day: 1, start: '00:00', minutes: 1440 },
      { day: 2, start: '00:00', minutes: 1440 },
    ];
    const o = nextOpening(allMonTue, 'UTC', at('2027-01-04T12:00:00Z'));
    expect({ start: iso(o.start), end: iso(o.end) }).toEqual({ start: '2027-01-04T00:00:00.000Z', end: '2027-01-06T00:00:00.000Z' });
  });

  it('lists the next openings in order for previews', () => {
    const ws = [{ day: 1, start: '18:00', minutes: 120 }, { day: 4, start: '06:00', minutes: 60 }];
    const list = nextOpenings(ws, 'Europe/London', at('2027-01-04T19:00:00Z'), 5);
    expect(list.map((o) => DateTime.fromJSDate(o.start, { zone: 'Europe/London' }).toFormat('ccc dd HH:mm'))).toEqual([
      'Mon 04 18:00', 'Thu 07 06:00', 'Mon 11 18:00', 'Thu 14 06:00', 'Mon 18 18:00',
    ]);
  });

  it('refuses an unknown time zone by name', () => {
    expect(() => nextOpening([], 'Mars/Olympus', new Date())).toThrow(UnknownTimeZoneError);
    expect(() => nextOpening([], 'Mars/Olympus', new Date())).toThrow('unknown time zone "Mars/Olympus"');
  });
});

describe('installationWindowsSchema', () => {
  it('refuses overlaps, also across the end of the week, naming the window', () => {
    const r = installationWindowsSchema.safeParse([{ day: 6, start: '23:00', minutes: 120 }, { day: 0, start: '00:30', minutes: 30 }]);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: [1], message: 'overlaps window 1 (Sat 23:00 for 2 h)' });
  });

  it.each([
    [{ day: 7, start: '10:00', minutes: 60 }, 'day', /0 \(Sunday\) to 6/],
    [{ day: 1, start: '24:00', minutes: 60 }, 'start', /HH:MM from 00:00 to 23:59/],
    [{ day: 1, start: '10:00', minutes: 1441 }, 'minutes', /at most 1440 minutes/],
  ])('refuses %j naming %s', (w, field, message) => {
    const r = installationWindowsSchema.safeParse([w]);
    expect(r.error!.issues[0].path).toEqual([0, field]);
    expect(r.error!.issues[0].message).toMatch(message);
  });
});

// Zones with DST in both hemispheres, half-hour and 45-minute offsets, and none.
const ZONES = ['America/New_York', 'Europe/London', 'Europe/Berlin', 'Australia/Lord_Howe', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'America/St_Johns', 'America/Sao_Paulo', 'UTC'];

const windowArb = fc.record({
  day: fc.integer({ min: 0, max: 6 }),
  start: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  minutes: fc.integer({ min: 1, max: 1440 }),
});
const windowsArb = fc.array(windowArb, { minLength: 1, maxLength: 4 }).filter((ws) => installationWindowsSchema.safeParse(ws).success);
const instantArb = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 11, 31) }).map((t) => new Date(t - (t % 60_000)));

/** The oracle: is this instant's wall time inside a window? Only asked away from DST changes. */
function wallClockOpen(windows: InstallationWindow[], zone: string, t: number): boolean {
  const local = DateTime.fromMillis(t, { zone });
  const minute = (local.weekday % 7) * 1440 + local.hour * 60 + local.minute;
  return windows.some((w) => {
    const s = weekStart(w);
    return [0, WEEK_MINUTES].some((shift) => minute + shift >= s && minute + shift < s + w.minutes);
  });
}
function steady(zone: string, t: number): boolean {
  const z = IANAZone.create(zone);
  return z.offset(t - 26 * 3600_000) === z.offset(t + 26 * 3600_000);
}

describe('nextOpening properties', () => {
  it('opens at or after now, or contains now, and ends after it', () => {
    fc.assert(
      fc.property(windowsArb, fc.constantFrom(...ZONES), instantArb, (ws, zone, now) => {
        const o = nextOpening(ws, zone, now);
        expect(o.end!.getTime()).toBeGreaterThan(now.getTime());
        expect(o.end!.getTime()).toBeGreaterThan(o.start.getTime());
        expect(o.start.getTime() - now.getTime()).toBeLessThanOrEqual(8 * 86_400_000);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the wall clock away from DST changes: closed before the opening, open inside it', () => {
    fc.assert(
      fc.property(windowsArb, fc.constantFrom(...ZONES), instantArb, fc.double({ min: 0, max: 1, noNaN: true }), (ws, zone, now, f) => {
        const o = nextOpening(ws, zone, now);
        const before = now.getTime() + Math.floor((o.start.getTime() - now.getTime()) * f);
        if (before < o.start.getTime() && before >= now.getTime() && steady(zone, before)) expect(wallClockOpen(ws, zone, before)).toBe(false);
        const inside = Math.max(o.start.getTime(), now.getTime()) + Math.floor((o.end!.getTime() - Math.max(o.start.getTime(), now.getTime())) * f * 0.999);
        if (steady(zone, inside)) expect(wallClockOpen(ws, zone, inside)).toBe(true);
        expect(isOpen(ws, zone, new Date(inside))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('is the same from any instant before the opening (nothing is skipped)', () => {
    fc.assert(
      fc.property(windowsArb, fc.constantFrom(...ZONES), instantArb, fc.double({ min: 0, max: 1, noNaN: true }), (ws, zone, now, f) => {
        const o = nextOpening(ws, zone, now);
        if (o.start.getTime() <= now.getTime()) return;
        const later = new Date(now.getTime() + Math.floor((o.start.getTime() - now.getTime()) * f));
        expect(iso(nextOpening(ws, zone, later).start)).toBe(iso(o.start));
      }),
      { numRuns: 300 },
    );
  });
});

describe('nextOpening for a whole plan', () => {
  const windows = [
    { day: 1, start: '22:00', minutes: 240 },
    { day: 3, start: '22:00', minutes: 240 },
  ];
  const now = new Date('2027-03-10T12:00:00Z');

  it('answers the same for the same plan and instant, and a caller changing an answer changes nothing', () => {
    const first = nextOpening(windows, 'Europe/Berlin', now);
    first.end!.setTime(0);
    first.start.setTime(0);
    expect(nextOpening(windows, 'Europe/Berlin', now)).toEqual({ start: new Date('2027-03-10T21:00:00Z'), end: new Date('2027-03-11T01:00:00Z') });
    expect(nextOpening(windows, 'America/New_York', now).start.toISOString()).toBe('2027-03-11T03:00:00.000Z');
    expect(nextOpening(windows, 'Europe/Berlin', now, { blackoutDates: ['2027-03-10'] }).start.toISOString()).toBe('2027-03-15T21:00:00.000Z');
  });

  it('walks the windows once for the many assignments of one plan that start from the same instant', () => {
    // The portal dates a user's 1,000 assignments: the same windows array and instant each time.
    const time = (fresh: boolean) => {
      const started = performance.now();
      for (let i = 0; i < 300; i++) nextOpening(fresh ? [...windows] : windows, 'Europe/Berlin', now);
      return performance.now() - started;
    };
    time(false);
    time(true);
    expect(time(false)).toBeLessThan(time(true) / 5);
  });
});
