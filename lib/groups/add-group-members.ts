import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobGroups, jobs, machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { requireEnrolledMachines } from '@/lib/machines/require-enrolled-machines';
import { pgArray, rowsOf } from '@/lib/sql';
import { loadGroupForUpdate } from './load-group';
import { groupMembersSchema, type GroupMembersInput } from './schemas';

/**
 * Adds machines to a group. A machine that joins while the group has jobs that are not cancelled
 * gets an assignment for each (held while the job is suspended, offered for offers), in the same
 * statement that records the membership and bumps its plan version.
 */
export async function addGroupMembers(db: Db, { actor, groupId, input }: { actor: Actor | null; groupId: string; input: GroupMembersInput }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { machineIds } = parseInput(groupMembersSchema, input, 'body');
  const ids = [...new Set(machineIds)];
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    await requireEnrolledMachines(tx, ids);
    const result = await tx.execute<{ joined: number; assigned: number }>(sql`
      with joined as (
        insert into ${groupMembers} (group_id, machine_id)
        select ${group.id}, unnest(${pgArray(ids)}::uuid[])
        on conflict do nothing
        returning machine_id
      ),
      assigned as (
        insert into ${assignments} (job_id, machine_id, state)
        select j.id, joined.machine_id,
               (case when j.state = 'suspended' then 'held' when j.kind = 'offer' then 'offered' else 'pending' end)::assignment_state
        from joined
        join ${jobGroups} jg on jg.group_id = ${group.id}
        join ${jobs} j on j.id = jg.job_id and j.state <> 'cancelled'
        on conflict (job_id, machine_id) do nothing
        returning machine_id
      ),
      bumped as (
        update ${machines} set plan_version = plan_version + 1 where id in (select machine_id from joined)
      )
      select (select count(*) from joined)::int as joined, (select count(*) from assigned)::int as assigned`);
    const [{ joined, assigned }] = rowsOf<{ joined: number; assigned: number }>(result);
    await writeAudit(tx, { actor: deployer, action: 'group.add_members', targetType: 'group', targetId: group.id, targetLabel: group.name, after: { machineIds: ids, joined, assignments: assigned } });
    return { joined: Number(joined), assignments: Number(assigned) };
  });
}
