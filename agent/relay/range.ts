export type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * One byte range of a content of `size` bytes, read the way the managing server reads it
 * (lib/content/serve-content.ts, which the relay may not import): several or malformed ranges,
 * and a Range made against another version (If-Range mismatch), get the whole content.
 */
export function parseRange(header: string | undefined, size: number, ifRange?: string, etag?: string): Range {
  if (!header) return undefined;
  if (ifRange && ifRange !== etag) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
