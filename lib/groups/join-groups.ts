import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobGroups, jobs, machines } from '@/db/schema';
import { pgArray, rowsOf } from '@/lib/sql';

/**
 * Makes every machine a member of every group given, in one statement that also gives each new
 * member an assignment for every job of that group that is not cancelled (held while the job is
 * suspended, offered for offers) and bumps the plan version of the machines that joined.
 * Callers check that the machines are enrolled and the groups exist.
 */
export async function joinGroups(tx: Db, groupIds: readonly string[], machineIds: readonly string[]): Promise<{ joined: number; assigned: number }> {
  if (groupIds.length === 0 || machineIds.length === 0) return { joined: 0, assigned: 0 };
  const result = await tx.execute(sql`
    with joined as (
      insert into ${groupMembers} (group_id, machine_id)
      select g, m from unnest(${pgArray(groupIds)}::uuid[]) g cross join unnest(${pgArray(machineIds)}::uuid[]) m
      on conflict do nothing
      returning group_id, machine_id
    ),
    assigned as (
      insert into ${assignments} (job_id, machine_id, state)
      select j.id, joined.machine_id,
             (case when j.kind = 'offer' then 'offered' when j.state = 'suspended' then 'held' else 'pending' end)::assignment_state
      from joined
      join ${jobGroups} jg on jg.group_id = joined.group_id
      join ${jobs} j on j.id = jg.job_id and j.state <> 'cancelled' and (j.kind = 'inventory' or j.package_id is not null)
      -- Share-locked: a package deletion locks its jobs before checking their assignments, so
      -- either it sees these or we see its package_id gone (a job whose package was deleted
      -- reaches no new machine). A job reached through two groups at once is inserted once:
      -- the second row meets the first and does nothing.
      for share of j
      on conflict (job_id, machine_id) do nothing
      returning machine_id
    ),
    bumped as (
      update ${machines} set plan_version = plan_version + 1 where id in (select machine_id from joined)
    )
    select (select count(*) from joined)::int as joined, (select count(*) from assigned)::int as assigned`);
  const [row] = rowsOf<{ joined: number; assigned: number }>(result);
  return { joined: Number(row.joined), assigned: Number(row.assigned) };
}
