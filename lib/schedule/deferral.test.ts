import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFERRAL_WITHOUT_WINDOWS_MS, deferralTime } from './deferral';
import type { AssignmentTiming } from './install-time';
import { nextOpening } from './next-opening';

const base: AssignmentTiming = { kind: 'install', timing: 'windows', startAt: null, notBefore: null, deadline: null, loadSpreading: false };
// Tuesdays 22:00-02:00 in Berlin (CET in January: 21:00-01:00 UTC).
const windows = [{ day: 2, start: '22:00', minutes: 240 }];
const tz = 'Europe/Berlin';
const tuesNoon = new Date('2027-01-05T11:00:00Z');

const ok = (outcome: ReturnType<typeof deferralTime>) => {
  if (!outcome.ok) throw new Error(`refused: deadline ${outcome.deadline.toISOString()}`);
  return { current: outcome.current.toISOString(), notBefore: outcome.notBefore.toISOString(), expectedAt: outcome.expectedAt.toISOString() };
};

describe('deferralTime', () => {
  it('moves an install from the opening it would run in to the next one', () => {
    expect(ok(deferralTime(base, windows, tz, tuesNoon, 0))).toEqual({
      current: '2027-01-05T21:00:00.000Z',
      notBefore: '2027-01-06T01:00:00.000Z',
      expectedAt: '2027-01-12T21:00:00.000Z',
    });
  });

  it('skips the window that is open now', () => {
    const inside = new Date('2027-01-05T23:30:00Z');
    expect(ok(deferralTime(base, windows, tz, inside, 0))).toMatchObject({ current: inside.toISOString(), notBefore: '2027-01-06T01:00:00.000Z', expectedAt: '2027-01-12T21:00:00.000Z' });
  });

  it('moves one window further on each deferral (the previous one is the assignment’s not-before)', () => {
    const first = ok(deferralTime(base, windows, tz, tuesNoon, 0));
    expect(ok(deferralTime({ ...base, notBefore: first.notBefore }, windows, tz, tuesNoon, 0))).toEqual({
      current: '2027-01-12T21:00:00.000Z',
      notBefore: '2027-01-13T01:00:00.000Z',
      expectedAt: '2027-01-19T21:00:00.000Z',
    });
  });

  it('keeps a spread install at its minute of the later window', () => {
    expect(ok(deferralTime({ ...base, loadSpreading: true }, windows, tz, tuesNoon, 0.5))).toMatchObject({ current: '2027-01-05T22:59:00.000Z', expectedAt: '2027-01-12T22:59:00.000Z' });
  });

  it('passes over blackout days as the agent will', () => {
    expect(ok(deferralTime(base, windows, tz, tuesNoon, 0, { blackoutDates: ['2027-01-12'] })).expectedAt).toBe('2027-01-19T21:00:00.000Z');
  });

  it('postpones by a day when no window is to be skipped', () => {
    for (const [timing, w] of [[{ ...base, timing: 'asap' as const }, windows], [base, []]] as const) {
      expect(ok(deferralTime(timing, [...w], tz, tuesNoon, 0))).toEqual({
        current: tuesNoon.toISOString(),
        notBefore: new Date(tuesNoon.getTime() + DEFERRAL_WITHOUT_WINDOWS_MS).toISOString(),
        expectedAt: new Date(tuesNoon.getTime() + DEFERRAL_WITHOUT_WINDOWS_MS).toISOString(),
      });
    }
  });

  it('refuses when the deadline comes before the next window, and allows it when the deadline is later', () => {
    const refused = deferralTime({ ...base, deadline: '2027-01-10T00:00:00Z' }, windows, tz, tuesNoon, 0);
    expect(refused).toMatchObject({ ok: false, deadline: new Date('2027-01-10T00:00:00Z'), expectedAt: new Date('2027-01-12T21:00:00Z') });
    // Exactly at the deadline is still in time.
    expect(deferralTime({ ...base, deadline: '2027-01-12T21:00:00Z' }, windows, tz, tuesNoon, 0).ok).toBe(true);
    // A deadline already passed leaves nothing to defer.
    expect(deferralTime({ ...base, deadline: '2027-01-01T00:00:00Z' }, windows, tz, tuesNoon, 0).ok).toBe(false);
  });

  it('always promises a later opening than the one it would have run in', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2026-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }), fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.boolean(), (now, spread, loadSpreading) => {
        const out = deferralTime({ ...base, loadSpreading }, windows, tz, now, spread);
        if (!out.ok) throw new Error('no deadline: never refused');
        const was = nextOpening(windows, tz, out.current);
        expect(out.expectedAt.getTime()).toBeGreaterThanOrEqual(was.end!.getTime());
        const then = nextOpening(windows, tz, out.expectedAt);
        expect(then.start.getTime()).toBeLessThanOrEqual(out.expectedAt.getTime());
        expect(then.start.getTime()).toBeGreaterThan(was.start.getTime());
      }),
      { numRuns: 300 },
    );
  });
});
