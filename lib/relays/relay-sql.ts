import { sql, type SQL } from 'drizzle-orm';

/**
 * How far a chain of relays is followed: a machine's sources are its relay and at most this many
 * parents above it, and a relay serves the machines of at most this many levels of child relays.
 * Both walks use the same limit, so what a relay pins is exactly what its machines may ask for.
 * Parents are refused when they would make a cycle; the limit also keeps a walk finite if one
 * slipped in.
 */
export const MAX_RELAY_HOPS = 4;

/**
 * SQL: the relay of a machine's groups (the first group by name that has one), for the machine
 * id given as an SQL expression. Machines without a relay of their own download from it.
 */
export function groupRelayOf(machineId: SQL): SQL {
  return sql`(select g.relay_id from group_members gm join machine_groups g on g.id = gm.group_id
              where gm.machine_id = ${machineId} and g.relay_id is not null
              order by g.name, g.id limit 1)`;
}

/** SQL: the relay a machine downloads from first: its own, else its groups'. */
export function effectiveRelayOf(machineAlias: string): SQL {
  const m = sql.raw(machineAlias);
  return sql`coalesce(${m}.relay_id, ${groupRelayOf(sql`${m}.id`)})`;
}

/**
 * A `with recursive` list: `chain(machine_id, id, depth)`, for each machine `m` that `machinesWhere`
 * matches, the relay it downloads from first (its own, else its groups') at depth 0, then that
 * relay's parents up to MAX_RELAY_HOPS. Revoked relays stay in the chain (the walk goes on
 * through them); a cycle repeats relays until the limit. The plan's content sources and the
 * machines list both read it, so the list says what the plan says.
 */
export function sourceChainCte(machinesWhere: SQL): SQL {
  return sql`chain(machine_id, id, depth) as (
      select m.id, ${effectiveRelayOf('m')}, 0 from machines m where ${machinesWhere}
      union all
      select c.machine_id, r.parent_id, c.depth + 1 from chain c join relays r on r.id = c.id
      where r.parent_id is not null and c.depth < ${MAX_RELAY_HOPS}
    )`;
}

/**
 * A `with recursive` list: `tree(id, depth)`, the relay and its child relays down to
 * MAX_RELAY_HOPS levels, then `served(id)`, the machines that download from one of them first
 * (their own relay, else their groups'): those the relay serves directly or through a child.
 * The group branch starts from the groups of the tree, so its cost follows their members, not
 * the fleet.
 */
export function servedMachinesCte(relayId: string): SQL {
  return sql`tree(id, depth) as (
      select id, 0 from relays where id = ${relayId}
      union
      select r.id, t.depth + 1 from relays r join tree t on r.parent_id = t.id where t.depth < ${MAX_RELAY_HOPS}
    ),
    served(id) as (
      select m.id from machines m where m.relay_id in (select id from tree)
      union
      select gm.machine_id from group_members gm
        join machine_groups g on g.id = gm.group_id and g.relay_id in (select id from tree)
        join machines m on m.id = gm.machine_id and m.relay_id is null
      where ${groupRelayOf(sql`gm.machine_id`)} in (select id from tree)
    )`;
}
