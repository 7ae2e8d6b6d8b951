import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, satisfiesRange } from './version-range';

const sign = (n: number) => (n < 0 ? '<' : n > 0 ? '>' : '=');

describe('compareVersions', () => {
  // Each row was checked with `dpkg --compare-versions` (Debian 12, dpkg 1.21).
  it.each([
    ['1.0', '=', '1.0'],
    ['1.0', '=', '1.0-0'], // no revision is the same as revision 0
    ['0:1.0', '=', '1.0'], // no epoch is epoch 0
    ['1.0~rc1', '<', '1.0'], // ~ sorts before the end of the string
    ['1.0~', '<', '1.0'],
    ['1.0~~', '<', '1.0~~a'],
    ['1.0~~a', '<', '1.0~'],
    ['1.0~alpha', '<', '1.0~beta'],
    ['1~', '<', '1'],
    ['1.0-~', '<', '1.0-0'], // ~ in the revision too
    ['1.0', '<', '1.0a'],
    ['1.0a', '<', '1.0+'], // letters sort before non-letters
    ['1.0a', '<', '1.0.'],
    ['1.0+', '<', '1.0.'], // non-letters by their character code
    ['1.0++', '<', '1.0+.'],
    ['1.0a', '<', '1.0.a'],
    ['1.0B', '<', '1.0a'], // upper case before lower case
    ['1.0', '<', '1.0.0'],
    ['1.2.9', '<', '1.2.10'], // digit runs numerically
    ['2.3', '<', '2.30'],
    ['1.002', '=', '1.2'], // leading zeros do not count
    ['000', '=', '0'],
    ['1.9', '<', '1.0010'],
    ['99999999999999999999', '<', '100000000000000000000'], // beyond Number's precision
    ['2.0', '<', '1:0.1'], // the epoch wins
    ['2:1', '<', '10:0'], // epochs numerically
    ['1.0-1', '<', '1.0-2'],
    ['1.0-2', '<', '1.0-10'],
    ['1.0-1', '<', '1.0-1ubuntu1'],
    ['1.0-a-1', '<', '1.0-a-2'], // the revision starts after the last hyphen
    ['1.0-1', '<', '1.0+1'],
  ])('%s %s %s', (a, expected, b) => {
    expect(sign(compareVersions(a, b))).toBe(expected);
    expect(sign(compareVersions(b, a))).toBe(expected === '<' ? '>' : expected === '>' ? '<' : '=');
  });

  // Versions dpkg accepts without complaint: a digit first, an optional epoch and revision. A small
  // alphabet makes equal and nearly equal pairs common.
  const chars = fc.constantFrom('0', '1', '9', 'a', 'b', 'Z', '.', '+', '~');
  const part = fc.array(chars, { maxLength: 6 }).map((cs) => cs.join(''));
  const version = fc
    .record({
      epoch: fc.option(fc.constantFrom('0', '1', '2', '10'), { nil: undefined }),
      upstream: fc.tuple(fc.constantFrom('0', '1', '2', '10', '01'), part).map(([d, rest]) => d + rest),
      revision: fc.option(fc.tuple(fc.constantFrom('0', '1', 'a', '~', '+'), part).map(([c, rest]) => c + rest), { nil: undefined }),
    })
    .map(({ epoch, upstream, revision }) => (epoch === undefined ? '' : `${epoch}:`) + upstream + (revision === undefined ? '' : `-${revision}`));
  // Pairs that share a prefix exercise the interesting cases more often than independent ones.
  const pair = fc.oneof(
    fc.tuple(version, version),
    fc.tuple(version, part).map(([v, suffix]) => [v, v + suffix] as [string, string]),
  );

  const hasDpkg = (() => {
    try {
      execFileSync('dpkg', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const dpkg = (a: string, op: 'lt' | 'eq', b: string) => {
    try {
      execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 1) return false;
      throw err;
    }
  };

  it('agrees with dpkg --compare-versions', () => {
    // Never skipped silently: the reference is Debian's own dpkg, present on every Debian machine.
    if (!hasDpkg) throw new Error('dpkg not found: this check compares against Debian’s dpkg --compare-versions; run the tests on Debian');
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const expected = dpkg(a, 'lt', b) ? '<' : dpkg(a, 'eq', b) ? '=' : '>';
        expect(sign(compareVersions(a, b)), `${a} vs ${b}`).toBe(expected);
      }),
      { numRuns: 200 },
    );
  }, 20_000);

  it('is antisymmetric and reflexive', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(compareVersions(a, a)).toBe(0);
        expect(sign(compareVersions(a, b))).toBe(sign(-compareVersions(b, a)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive (a sorted list is ordered pairwise)', () => {
    fc.assert(
      fc.property(fc.array(version, { minLength: 3, maxLength: 8 }), (vs) => {
        const sorted = [...vs].sort(compareVersions);
        for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) expect(compareVersions(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('satisfiesRange', () => {
  it.each([
    ['1.4', '1.4', true], // a bare version means exactly equal…
    ['1.04', '1.4', true], // …in dpkg's sense
    ['1.4-0', '1.4', true],
    ['1.4.0', '1.4', false],
    ['1.4', '=1.4', true],
    ['1.5', '=1.4', false],
    ['1.2', '>=1.2 <2', true],
    ['1.10', '>=1.2 <2', true],
    ['1.9.9', '>=1.2 <2', true],
    ['2~rc1', '>=1.2 <2', true],
    ['1.1', '>=1.2 <2', false],
    ['2', '>=1.2 <2', false],
    ['2.0', '>=1.2 <2', false],
    ['1.0', '>1.0', false],
    ['1.0a', '>1.0', true],
    ['1.0', '<=1.0', true],
    ['1.0+1', '<=1.0', false],
    ['1:0.1', '>2', true], // epochs count
    ['1.5', '>1 <2 >=1.5 <=1.5', true],
    ['1.5', '>1 <2 >1.5', false],
  ])('%s in "%s" is %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it('refuses an empty or malformed range rather than matching everything', () => {
    expect(() => satisfiesRange('1.0', '')).toThrow('invalid version range');
    expect(() => satisfiesRange('1.0', '>=')).toThrow('invalid version range');
    expect(() => satisfiesRange('1.0', '>>1')).toThrow('invalid version range');
  });
});
