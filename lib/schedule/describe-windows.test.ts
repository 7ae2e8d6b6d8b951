import { describe, expect, it } from 'vitest';
import { describeWindows } from './describe-windows';

const on = (days: number[], start: string, minutes: number) => days.map((day) => ({ day, start, minutes }));

describe('describeWindows', () => {
  it('folds days that share a start and length', () => {
    expect(describeWindows(on([0, 1, 2, 3, 4, 5, 6], '21:00', 180))).toBe('Every day 21:00 for 3 h');
    expect(describeWindows([...on([1, 2, 3, 4, 5], '21:00', 180), ...on([6, 0], '10:00', 480)])).toBe('Sat–Sun 10:00 for 8 h · Mon–Fri 21:00 for 3 h');
    expect(describeWindows(on([1, 3], '22:00', 90))).toBe('Mon, Wed 22:00 for 1 h 30 min');
    expect(describeWindows(on([5, 6, 0, 1], '23:00', 60))).toBe('Mon, Fri–Sun 23:00 for 1 h');
  });

  it('says "Any time" without windows', () => {
    expect(describeWindows([])).toBe('Any time');
  });
});
