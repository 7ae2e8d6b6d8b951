/**
 * Version ordering and ranges, shared by the server and the agent. This file imports nothing.
 *
 * Versions are ordered the way Debian's dpkg orders them (`dpkg --compare-versions`), which also
 * orders semver-like versions sensibly: 1.2.10 > 1.2.9, 1.0~rc1 < 1.0, 1.0 < 1.0a < 1.0+b1.
 */

/**
 * A version split as dpkg splits it: `epoch:` before the first colon (when it is all digits),
 * `-revision` after the last hyphen. A missing epoch is 0 and a missing revision is empty, which
 * compares equal to "0" (so 1.0 == 1.0-0 == 0:1.0, as in dpkg).
 */
function parse(version: string): { epoch: string; upstream: string; revision: string } {
  let rest = version.trim();
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, upstream: rest, revision: '' };
  return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * dpkg's weight of one character in a non-digit run: `~` sorts before everything, even the end of
 * the string (so 1.0~rc1 < 1.0); the end of the string and a digit weigh 0 (the run is over);
 * letters sort before all other characters (so 1.0a < 1.0+ and 1.0a < 1.0.1).
 */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isLetter(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** Digit runs compared as numbers of any length: strip leading zeros, then longer wins, then text. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** dpkg's verrevcmp: alternate non-digit runs (by order()) and digit runs (numerically). */
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run. Both sides step together; a side that has reached a digit or its end weighs 0.
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : undefined);
      const bc = order(j < b.length ? b.charCodeAt(j) : undefined);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    // Digit run (possibly empty, which counts as 0).
    const startA = i;
    const startB = j;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const diff = compareDigits(a.slice(startA, i), b.slice(startB, j));
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Compares two versions as dpkg does: negative if a < b, 0 if equal, positive if a > b. */
export function compareVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  const result = compareDigits(x.epoch, y.epoch) || compareParts(x.upstream, y.upstream) || compareParts(x.revision, y.revision);
  return Math.sign(result);
}

const COMPARATOR = /^(>=|<=|>|<|=)?(.+)$/;

/**
 * Whether a version lies in a range: one bare version ("1.4", exactly equal), or comparators
 * separated by spaces that must all hold (">=1.2 <2"). Ranges are validated before they get here
 * (see versionRangeSchema); an empty range throws rather than matching everything.
 */
export function satisfiesRange(version: string, range: string): boolean {
  const comparators = range.trim().split(/\s+/).filter(Boolean);
  if (comparators.length === 0) throw new Error(`invalid version range: "${range}"`);
  return comparators.every((comparator) => {
    const [, op = '=', operand] = COMPARATOR.exec(comparator) ?? [];
    if (!operand || /^[<>=]/.test(operand)) throw new Error(`invalid version range: "${range}"`);
    const c = compareVersions(version, operand);
    switch (op) {
      case '>=':
        return c >= 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '<':
        return c < 0;
      default:
        return c === 0;
    }
  });
}
