import { sql } from 'drizzle-orm';

/**
 * When an assignment event counts as having happened, for outcome charts and "last 24 h" counts:
 * the machine's own time (`at`), but never later than the server received it and never earlier
 * than the server created the assignment.
 *
 * `at` is the better time: an agent that was offline reports an install of yesterday today, and
 * that install belongs to yesterday. But it comes from the machine's clock, and a wrong clock
 * must not move an outcome out of sight: an agent running in 2031 would put it in the future
 * (past every "until now" bound), one that booted in 1970 far in the past (before every "last
 * 24 h" bound). Both ends are server times the agent cannot move, so with this rule every
 * outcome lands between the job's creation and its arrival.
 *
 * Because the result is never later than `received_at`, "happened since T" implies
 * "received since T": queries add `e.received_at >= T` so that they range-scan
 * `assignment_events_received_at_idx` instead of reading every event.
 *
 * SQL over `assignment_events e join assignments a on a.id = e.assignment_id`.
 */
export const OUTCOME_TIME = sql.raw('greatest(least(e.at, e.received_at), a.created_at)');
