import { describe, expect, it } from 'vitest';
import { formatLocal, relativeTime, whenText } from './relative-time';

const now = new Date('2027-01-05T11:00:00Z'); // Tue 12:00 in Berlin
const plus = (ms: number) => new Date(now.getTime() + ms);
const MIN = 60_000;
const H = 60 * MIN;

describe('relativeTime', () => {
  it('says now within a minute either way', () => {
    expect(relativeTime(now, now)).toBe('now');
    expect(relativeTime(plus(59_000), now)).toBe('now');
    expect(relativeTime(plus(-59_000), now)).toBe('now');
  });

  it('counts minutes, then hours up to a day and a half, then days', () => {
    expect(relativeTime(plus(5 * MIN), now)).toBe('in 5 min');
    expect(relativeTime(plus(-5 * MIN), now)).toBe('5 min ago');
    expect(relativeTime(plus(89 * MIN), now)).toBe('in 89 min');
    expect(relativeTime(plus(3 * H), now)).toBe('in 3 h');
    expect(relativeTime(plus(-30 * H), now)).toBe('30 h ago');
    expect(relativeTime(plus(40 * H), now)).toBe('in 2 days');
    expect(relativeTime(plus(-24 * 8 * H), now)).toBe('8 days ago');
  });
});

describe('formatLocal', () => {
  it('names the weekday and time on the machine’s own clock within six days', () => {
    expect(formatLocal(new Date('2027-01-05T21:00:00Z'), 'Europe/Berlin', now)).toBe('Tue 22:00');
    expect(formatLocal(new Date('2027-01-05T21:00:00Z'), 'America/New_York', now)).toBe('Tue 16:00');
    expect(formatLocal(new Date('2027-01-05T23:30:00Z'), 'Europe/Berlin', now)).toBe('Wed 00:30');
  });

  it('adds the date further out, where a weekday alone would be ambiguous', () => {
    expect(formatLocal(new Date('2027-01-14T21:00:00Z'), 'Europe/Berlin', now)).toBe('Thu 14 Jan 22:00');
  });

  it('puts both together', () => {
    expect(whenText(new Date('2027-01-05T14:00:00Z'), 'Europe/Berlin', now)).toBe('Tue 15:00 (in 3 h)');
  });
});
