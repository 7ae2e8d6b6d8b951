import { describe, expect, it } from 'vitest';
import { doneCount, doneOf, jobCounts } from './job-counts';

describe('doneOf', () => {
  it('names a completed assignment by kind, for the JSON key, the prose and the badges', () => {
    expect(doneOf('install')).toEqual({ key: 'installed', word: 'installed', label: 'Installed' });
    expect(doneOf('offer')).toEqual({ key: 'installed', word: 'installed', label: 'Installed' });
    expect(doneOf('uninstall')).toEqual({ key: 'removed', word: 'removed', label: 'Removed' });
    expect(doneOf('inventory')).toEqual({ key: 'installed', word: 'done', label: 'Done' });
  });

  it('counts an uninstall job\'s completed assignments as removed', () => {
    const counts = jobCounts('uninstall', [{ state: 'installed', n: 2 }, { state: 'failed', n: 1 }]);
    expect(counts).toEqual({ removed: 2, failed: 1 });
    expect(doneCount('uninstall', counts)).toBe(2);
  });
});
