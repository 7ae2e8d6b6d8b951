import { describe, expect, it } from 'vitest';
import { planSchema } from './agent-api';
import { blackoutDatesSchema, isCalendarDate } from './blackout-dates';

describe('blackout dates', () => {
  it('accepts only dates that exist on the calendar', () => {
    expect(['2027-02-28', '2028-02-29', '2027-12-31', '2027-01-01'].every(isCalendarDate)).toBe(true);
    expect(['2027-02-30', '2027-02-29', '2027-13-01', '2027-00-10', '2027-04-31', '2027-1-1', '27-01-01', '2027-01-01T00:00', ' 2027-01-01', ''].some(isCalendarDate)).toBe(false);
  });

  it('merges duplicates and sorts', () => {
    expect(blackoutDatesSchema.parse(['2027-03-01', '2026-12-24', '2027-03-01'])).toEqual(['2026-12-24', '2027-03-01']);
  });

  it('names the entry at fault', () => {
    const r = blackoutDatesSchema.safeParse(['2027-01-01', '2027-02-30']);
    expect(r.error!.issues[0]).toMatchObject({ path: [1], message: 'expected a real calendar date YYYY-MM-DD' });
  });

  it('takes at most 366 distinct dates, counted after merging duplicates', () => {
    const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10));
    expect(blackoutDatesSchema.safeParse(days(366)).success).toBe(true);
    expect(blackoutDatesSchema.safeParse([...days(366), ...days(366)]).success).toBe(true);
    expect(blackoutDatesSchema.safeParse(days(367)).error!.issues[0].message).toBe('expected at most 366 dates');
  });

  it('lets a plan from a server without blackout dates parse, as none', () => {
    const plan = { machineId: '11111111-1111-4111-8111-111111111111', version: 1, pollSeconds: 60, jitterSeconds: 30, timeZone: 'UTC', windows: [], assignments: [] };
    expect(planSchema.parse(plan).blackoutDates).toEqual([]);
    expect(planSchema.parse({ ...plan, blackoutDates: ['2027-01-01'] }).blackoutDates).toEqual(['2027-01-01']);
  });
});
