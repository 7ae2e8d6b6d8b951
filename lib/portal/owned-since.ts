import { sql } from 'drizzle-orm';

/**
 * Since when the machine `m` is its current owner's (SQL on the alias m): owner_since, set by
 * every change of owner; a row owned without one (from before the column, or seeded directly)
 * counts from enrolment.
 */
export const OWNED_SINCE = sql.raw('coalesce(m.owner_since, m.enrolled_at)');
