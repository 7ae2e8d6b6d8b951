import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { TERMINAL_STATES } from '@/lib/assignments/transitions';
import { pgArray, rowsOf } from '@/lib/sql';
import { servedMachinesCte } from './relay-sql';

/**
 * The content a relay must not evict for space: that of packages whose jobs have an unfinished
 * (non-terminal) assignment on a machine the relay serves, directly or through a child relay
 * (a child fetches from it, so the parent keeps what the child's machines still need). Offered
 * and held assignments count: the user may still choose, the job may be resumed.
 */
export async function pinnedContent(db: Db, relayId: string): Promise<string[]> {
  const result = await db.execute(sql`
    with recursive ${servedMachinesCte(relayId)}
    select distinct p.content_sha256 as sha256
    from assignments a
    join jobs j on j.id = a.job_id
    join packages p on p.id = j.package_id
    where a.machine_id in (select id from served)
      and a.state <> all(${pgArray(TERMINAL_STATES)}::assignment_state[])
    order by 1`);
  return rowsOf<{ sha256: string }>(result).map((r) => r.sha256);
}
