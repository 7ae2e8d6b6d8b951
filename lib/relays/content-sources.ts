import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import type { Plan } from '@/lib/contract/agent-api';
import { rowsOf } from '@/lib/sql';
import { sourceChainCte } from './relay-sql';

/**
 * The plan's content sources, nearest first, in one query: the machine's relay (else its
 * groups' relay, first by group name), then that relay's parents up the chain. Revoked relays are
 * left out (they answer 401 now) but the walk goes on through them to their parents. A relay seen
 * twice (a cycle) is listed once; the walk stops after MAX_RELAY_HOPS parents.
 */
export async function contentSources(db: Db, machineId: string): Promise<Plan['contentSources']> {
  const result = await db.execute(sql`
    with recursive ${sourceChainCte(sql`m.id = ${machineId}`)}
    select r.id, r.name, r.url, r.revoked_at is not null as revoked
    from chain c join relays r on r.id = c.id
    order by c.depth`);
  const seen = new Set<string>();
  const sources: Plan['contentSources'] = [];
  for (const r of rowsOf<{ id: string; name: string; url: string; revoked: boolean }>(result)) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    if (!r.revoked) sources.push({ relayId: r.id, name: r.name, url: r.url });
  }
  return sources;
}
