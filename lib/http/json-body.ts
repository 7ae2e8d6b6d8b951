import { AppError } from '@/lib/errors';
import { formatBytes } from '@/lib/format-bytes';

/**
 * The rules for a JSON request body, shared by Next's route handlers and the fast path's plain
 * Node handlers: the content type, a size cap, a nesting limit, valid JSON, and text that the
 * database can store, each refusal naming `body` or the field at fault.
 */
export function assertJsonContentType(contentType: string | null | undefined): void {
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '')) {
    throw new AppError('bad_request', { field: 'body', message: 'body: expected Content-Type application/json' });
  }
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', { field: 'body', message: `body: expected at most ${formatBytes(maxBytes)} of JSON` });
}

/** No Depot body is nested more than a handful of levels; 32 leaves room and stops a stack-deep document. */
export const MAX_JSON_DEPTH = 32;

export interface JsonBodyOptions {
  /**
   * Fields (dotted paths, as errors name them) whose text may hold NUL or lone surrogates
   * because the operation itself makes such text storable (the agent report's installer output).
   */
  rawTextAllowed?: (field: string) => boolean;
}

export function parseJsonBody(text: string, options: JsonBodyOptions = {}): unknown {
  return parseJsonText(text, 'body', options);
}

/**
 * JSON text from a request (`whole` names it in errors: `body`, `manifest`): nesting checked on
 * the text before JSON.parse and every later walk (zod, the check below, the database's jsonb
 * parser) recurse into it, so a deep document cannot exhaust any stack; then parsed; then every
 * string checked for text the database cannot store.
 */
export function parseJsonText(text: string, whole: string, options: JsonBodyOptions = {}): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new AppError('invalid_input', { field: whole, message: `${whole}: expected JSON nested at most ${MAX_JSON_DEPTH} levels deep` });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('bad_request', { field: whole, message: `${whole}: expected valid JSON` });
  }
  assertStorableText(value, options.rawTextAllowed, [], whole);
  return value;
}

/** The deepest nesting of arrays and objects in a JSON text, brackets inside strings not counted. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a text cannot be stored, or null. PostgreSQL refuses NUL in text and `\u0000` in jsonb,
 * and jsonb refuses an unpaired surrogate escape; letting either reach a query is a 500.
 */
export function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain an unpaired surrogate (invalid Unicode)';
  return null;
}

/**
 * Throws a 422 naming the first string (value or key) that cannot be stored. The walk is bounded
 * by the nesting limit above. `allowed(field)` exempts fields an operation sanitizes itself.
 */
export function assertStorableText(value: unknown, allowed?: (field: string) => boolean, path: string[] = [], whole = 'body'): void {
  const fail = (field: string, why: string) => {
    const name = field && !field.startsWith('.') ? field : whole;
    throw new AppError('invalid_input', { field: name, message: `${name}: ${why}` });
  };
  if (typeof value === 'string') {
    const why = unstorableText(value);
    const field = path.join('.');
    if (why && !allowed?.(field)) fail(field, why);
    return;
  }
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertStorableText(item, allowed, [...path, String(i)], whole));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const why = unstorableText(key);
    if (why) fail([...path, sanitizeKey(key)].join('.'), `a field name ${why}`);
    assertStorableText(item, allowed, [...path, key], whole);
  }
}

/** A key as it can be shown in an error (the error itself must be storable and printable). */
function sanitizeKey(key: string): string {
  return key.replace(/\u0000/g, '\\u0000').replace(new RegExp(LONE_SURROGATE, 'g'), '\uFFFD');
}
