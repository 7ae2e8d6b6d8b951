import { describe, expect, it } from 'vitest';
import { describeOutcome, outputTail } from './describe-outcome';

const base = { jobKind: 'install' as const, exitCode: null, reason: null, output: null };

describe('describeOutcome', () => {
  it('names the unmet condition of a skip', () => {
    expect(describeOutcome({ ...base, state: 'skipped', reason: 'needs libc6 >=2.36, has 2.31' })).toBe('Not installed: needs libc6 >=2.36, has 2.31.');
    expect(describeOutcome({ ...base, state: 'skipped' })).toBe('Not installed: an installation condition was not met.');
  });

  it('gives a failure’s exit code once, and any other reason beside it', () => {
    expect(describeOutcome({ ...base, state: 'failed', exitCode: 3, reason: 'exit code 3 (success: 0)' })).toBe('The installer ended with exit code 3.');
    expect(describeOutcome({ ...base, state: 'failed', exitCode: 0, reason: 'the installer succeeded but the detection rule does not find the package' })).toBe(
      'The installer ended with exit code 0: the installer succeeded but the detection rule does not find the package.',
    );
    expect(describeOutcome({ ...base, state: 'failed', reason: 'timed out after 60 s; the installer’s process tree was killed' })).toBe('Timed out after 60 s; the installer’s process tree was killed.');
  });

  it('reads installed as removed for an uninstall, and says what ended a cancel or expiry', () => {
    expect(describeOutcome({ ...base, jobKind: 'uninstall', state: 'installed' })).toBe('Removed.');
    expect(describeOutcome({ ...base, state: 'cancelled', reason: 'the machine was retired' })).toBe('Cancelled: the machine was retired.');
    expect(describeOutcome({ ...base, jobKind: 'offer', state: 'expired' })).toBe('Expired: the offer ended before it was installed.');
  });
});

describe('outputTail', () => {
  it('keeps the last five non-empty lines', () => {
    expect(outputTail('1\n2\n\n3\n4\n5\n6\n7\n')).toEqual(['3', '4', '5', '6', '7']);
    expect(outputTail(null)).toEqual([]);
  });
});
