import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { installTime, spreadOf, type AssignmentTiming } from './install-time';
import { nextOpening } from './next-opening';

const base: AssignmentTiming = { kind: 'install', timing: 'windows', startAt: null, notBefore: null, deadline: null, loadSpreading: false };
// Tuesdays 22:00-02:00 in Berlin.
const windows = [{ day: 2, start: '22:00', minutes: 240 }];
const tz = 'Europe/Berlin';
const tuesNoon = new Date('2027-01-05T11:00:00Z'); // Tue 12:00 CET

describe('installTime', () => {
  it('waits for the next opening of the windows', () => {
    expect(installTime(base, windows, tz, tuesNoon, 0).toISOString()).toBe('2027-01-05T21:00:00.000Z');
  });

  it('runs now inside an open window, and any time without windows', () => {
    const inside = new Date('2027-01-05T23:30:00Z');
    expect(installTime(base, windows, tz, inside, 0)).toEqual(inside);
    expect(installTime(base, [], tz, tuesNoon, 0)).toEqual(tuesNoon);
  });

  it('runs asap and inventory at once, and at-timed jobs at their time, whatever the windows', () => {
    expect(installTime({ ...base, timing: 'asap' }, windows, tz, tuesNoon, 0)).toEqual(tuesNoon);
    expect(installTime({ ...base, kind: 'inventory' }, windows, tz, tuesNoon, 0)).toEqual(tuesNoon);
    expect(installTime({ ...base, timing: 'at', startAt: '2027-01-06T08:00:00Z' }, windows, tz, tuesNoon, 0).toISOString()).toBe('2027-01-06T08:00:00.000Z');
  });

  it('holds everything until notBefore', () => {
    expect(installTime({ ...base, timing: 'asap', notBefore: '2027-01-05T15:00:00Z' }, windows, tz, tuesNoon, 0).toISOString()).toBe('2027-01-05T15:00:00.000Z');
    // notBefore after this week's window: the next week's.
    expect(installTime({ ...base, notBefore: '2027-01-06T03:00:00Z' }, windows, tz, tuesNoon, 0).toISOString()).toBe('2027-01-12T21:00:00.000Z');
  });

  it('lets a deadline override the windows, at the first chance after it', () => {
    expect(installTime({ ...base, deadline: '2027-01-05T14:00:00Z' }, windows, tz, tuesNoon, 0).toISOString()).toBe('2027-01-05T14:00:00.000Z');
    const late = new Date('2027-01-05T16:00:00Z');
    expect(installTime({ ...base, deadline: '2027-01-05T14:00:00Z' }, windows, tz, late, 0)).toEqual(late);
  });

  it('spreads load across the window by a stable fraction', () => {
    const spread = installTime({ ...base, loadSpreading: true }, windows, tz, tuesNoon, 0.5);
    expect(spread.toISOString()).toBe('2027-01-05T22:59:00.000Z');
    expect(spreadOf('a:1')).toBe(spreadOf('a:1'));
    expect(spreadOf('a:1')).not.toBe(spreadOf('b:1'));
  });

  it('always lands inside an opening (or at a deadline), never before now', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2026-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }), fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.boolean(), (now, spread, loadSpreading) => {
        const at = installTime({ ...base, loadSpreading }, windows, tz, now, spread);
        expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
        const opening = nextOpening(windows, tz, at);
        expect(opening.start.getTime()).toBeLessThanOrEqual(at.getTime());
        expect(at.getTime()).toBeLessThan(opening.end!.getTime());
      }),
      { numRuns: 300 },
    );
  });
});
