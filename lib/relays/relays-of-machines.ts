import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { pgArray, rowsOf } from '@/lib/sql';
import { effectiveRelayOf } from './relay-sql';

export interface MachineRelay {
  id: string;
  name: string;
  /** Set on the machine itself, or inherited from its groups. */
  via: 'machine' | 'group';
}

/** The relay each of these machines downloads from first (one page of the machines list), in one query. */
export async function relaysOfMachines(db: Db, machineIds: string[]): Promise<Map<string, MachineRelay>> {
  const byMachine = new Map<string, MachineRelay>();
  if (machineIds.length === 0) return byMachine;
  const result = await db.execute(sql`
    select m.id as machine_id, r.id, r.name, m.relay_id is not null as own
    from machines m join relays r on r.id = ${effectiveRelayOf('m')}
    where m.id = any(${pgArray(machineIds)}::uuid[])`);
  for (const r of rowsOf<{ machine_id: string; id: string; name: string; own: boolean }>(result)) byMachine.set(r.machine_id, { id: r.id, name: r.name, via: r.own ? 'machine' : 'group' });
  return byMachine;
}
