import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { rowsOf } from '@/lib/sql';
import { groupRelayOf } from './relay-sql';

/**
 * How many machines (not retired) download from each relay first, through their own setting or
 * their groups'. The group branch only looks at members of groups that have a relay.
 */
export async function servedCounts(db: Db): Promise<Map<string, number>> {
  const result = await db.execute(sql`
    select rid as relay_id, count(*)::int as n from (
      select m.relay_id as rid from machines m where m.relay_id is not null and m.retired_at is null
      union all
      select ${groupRelayOf(sql`m.id`)} from machines m
      where m.relay_id is null and m.retired_at is null
        and m.id in (select gm.machine_id from group_members gm join machine_groups g on g.id = gm.group_id where g.relay_id is not null)
    ) s
    where rid is not null
    group by rid`);
  return new Map(rowsOf<{ relay_id: string; n: number }>(result).map((r) => [r.relay_id, Number(r.n)]));
}
