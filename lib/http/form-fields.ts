import { AppError } from '@/lib/errors';

/** The windows editor sends its rows as one JSON form field; the operation validates the rows. */
export function parseWindowsField(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_input', { field: 'windows', message: 'windows: expected a list of windows' });
  }
}
