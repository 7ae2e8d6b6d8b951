/**
 * How content downloads read a `Range` header, on the managing server (lib/content/serve-content.ts)
 * and on depot-relay alike, so a machine resuming a download gets the same bytes from either.
 * Imports nothing: the relay bundles it.
 */
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * One byte range of a content of `size` bytes (`end` inclusive). Several or malformed ranges get
 * the whole content (undefined), as RFC 9110 allows, and so does a Range made against another
 * version of the content (an If-Range that is not this ETag).
 */
export function parseRange(header: string | undefined, size: number, ifRange?: string, etag?: string): ByteRange {
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
