import 'server-only';
import { AppError } from '@/lib/errors';

/**
 * A list page runs its query from the URL; a query that does not parse (a hand-edited URL) shows
 * the unfiltered list instead of an error page. Any other failure is a real error and propagates.
 */
export async function withDefaultsOnBadQuery<T>(withQuery: () => Promise<T>, withDefaults: () => Promise<T>): Promise<T> {
  try {
    return await withQuery();
  } catch (error) {
    if (error instanceof AppError && error.code === 'invalid_input') return withDefaults();
    throw error;
  }
}
