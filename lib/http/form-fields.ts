import { z } from 'zod';
import { AppError } from '@/lib/errors';

/** Checkboxes of one name: absent, one value or several, always as a list. */
export const checkedValues = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** The windows editor sends its rows as one JSON form field; the operation validates the rows. */
export function parseWindowsField(text: string, field = 'windows'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_input', { field, message: `${field}: expected a list of windows` });
  }
}
