import { assertStorableText } from './json-body';

/**
 * A server action's form as a plain object for zod: a repeated field (checkboxes of one name)
 * becomes a list, a file its name. Text PostgreSQL cannot store (NUL; FormData already turns a
 * lone surrogate into U+FFFD) is refused here naming the field, as in a JSON body
 * (lib/http/json-body.ts), instead of failing as an internal error at the database.
 */
export function formToObject(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION')) continue; // React's own bookkeeping fields
    const v = typeof value === 'string' ? value : value.name;
    out[key] = key in out ? [...(Array.isArray(out[key]) ? (out[key] as string[]) : [out[key] as string]), v] : v;
  }
  assertStorableText(out, undefined, [], 'form');
  return out;
}
