import { z } from 'zod';

/**
 * The highest page a list answers. An unbounded page turns into an OFFSET past what the database
 * accepts (a 500 instead of an answer); no person pages past this, and at 100 rows a page it is
 * ten million rows deep.
 */
export const MAX_PAGE = 100_000;

/** `page` of every paged list's query: a whole number from 1 to MAX_PAGE, 1 when absent. */
export const pageParam = () =>
  z.coerce
    .number({ message: 'expected a page number' })
    .int(`expected a page number from 1 to ${MAX_PAGE}`)
    .min(1, `expected a page number from 1 to ${MAX_PAGE}`)
    .max(MAX_PAGE, `expected a page number from 1 to ${MAX_PAGE}`)
    .default(1);
