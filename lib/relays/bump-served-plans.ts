import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { rowsOf } from '@/lib/sql';
import { servedMachinesCte } from './relay-sql';

/**
 * The relay's place in its machines' content sources changed (its URL, its parent, revoked): every
 * machine that downloads from it or from one of its child relays gets a new plan on its next
 * poll. Others keep theirs, so their polls stay 304s. Returns how many were bumped.
 */
export async function bumpServedPlans(tx: Db, relayId: string): Promise<number> {
  const result = await tx.execute(sql`
    with recursive ${servedMachinesCte(relayId)},
    bumped as (update machines set plan_version = plan_version + 1 where id in (select id from served) returning 1)
    select count(*)::int as n from bumped`);
  return Number(rowsOf<{ n: number }>(result)[0].n);
}
