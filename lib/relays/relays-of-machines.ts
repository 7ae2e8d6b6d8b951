import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { pgArray, rowsOf } from '@/lib/sql';
import { sourceChainCte } from './relay-sql';

export interface MachineRelay {
  /** The relay set for the machine: its own, else its groups'. */
  id: string;
  name: string;
  /** Set on the machine itself, or inherited from its groups. */
  via: 'machine' | 'group';
  /** That relay was revoked: it serves nobody, and the plan leaves it out. */
  revoked: boolean;
  /**
   * Where the machine's agent downloads from first, as its plan's content sources say: the relay
   * set, else (revoked) the nearest of its parents still in service; null for the managing server.
   */
  downloadsFrom: { id: string; name: string } | null;
}

/**
 * The relay each of these machines is set to and the one it actually downloads from first (one
 * page of the machines list), in one query over the same chain the plan's content sources walk.
 */
export async function relaysOfMachines(db: Db, machineIds: string[]): Promise<Map<string, MachineRelay>> {
  const byMachine = new Map<string, MachineRelay>();
  if (machineIds.length === 0) return byMachine;
  const result = await db.execute(sql`
    with recursive ${sourceChainCte(sql`m.id = any(${pgArray(machineIds)}::uuid[])`)}
    select c.machine_id, r.id, r.name, r.revoked_at is not null as revoked, m.relay_id is not null as own
    from chain c join relays r on r.id = c.id join machines m on m.id = c.machine_id
    order by c.machine_id, c.depth`);
  for (const r of rowsOf<{ machine_id: string; id: string; name: string; revoked: boolean; own: boolean }>(result)) {
    const seen = byMachine.get(r.machine_id);
    // The first row of each machine (depth 0) is the relay set; the first one not revoked is its source.
    if (!seen) byMachine.set(r.machine_id, { id: r.id, name: r.name, via: r.own ? 'machine' : 'group', revoked: r.revoked, downloadsFrom: r.revoked ? null : { id: r.id, name: r.name } });
    else if (!seen.downloadsFrom && !r.revoked) seen.downloadsFrom = { id: r.id, name: r.name };
  }
  return byMachine;
}
