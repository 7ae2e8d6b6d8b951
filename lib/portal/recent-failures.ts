import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { OUTCOME_TIME } from '@/lib/assignments/outcome-time';
import { OWNED_SINCE } from './owned-since';
import { pgArray, rowsOf } from '@/lib/sql';

/** How far back "recent failures" look. */
export const RECENT_FAILURES_DAYS = 7;

/**
 * Failed attempts per machine in the last 7 days and since its owner got it (every attempt counts: a failure that was re-run
 * and then installed still happened). `received_at` bounds the scan first: an outcome's time is
 * never later than its receipt (lib/assignments/outcome-time.ts).
 */
export async function recentFailures(db: Db, machineIds: readonly string[], now: Date): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (machineIds.length === 0) return counts;
  const since = new Date(now.getTime() - RECENT_FAILURES_DAYS * 86_400_000).toISOString();
  const result = await db.execute(sql`
    select a.machine_id, count(*)::int as n
    from assignment_events e join assignments a on a.id = e.assignment_id join machines m on m.id = a.machine_id
    where a.machine_id = any(${pgArray([...machineIds])}::uuid[]) and e.state = 'failed'
      and e.received_at >= ${since}::timestamptz and ${OUTCOME_TIME} >= ${since}::timestamptz
      and ${OUTCOME_TIME} >= ${OWNED_SINCE}
    group by a.machine_id`);
  for (const r of rowsOf<{ machine_id: string; n: number }>(result)) counts.set(r.machine_id, Number(r.n));
  return counts;
}
