import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machineGroups } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { loadGroupForUpdate } from '@/lib/groups/load-group';
import { rowsOf } from '@/lib/sql';
import { loadRelay, requireActive } from './load-relay';
import { setRelaySchema, type SetRelayInput } from './schemas';

export interface SetGroupRelayOptions {
  actor: Actor | null;
  groupId: string;
  input: SetRelayInput;
}

/**
 * Sets (or clears) the relay a group's members download from unless they have their own. Only
 * the members whose relay actually changes get a new plan: those without a relay of their own
 * for whom this group is the first group by name with a relay, before or after the change.
 */
export async function setGroupRelay(db: Db, { actor, groupId, input }: SetGroupRelayOptions) {
  const admin = requirePermission(actor, 'relays.manage');
  const { relayId } = parseInput(setRelaySchema, input, 'body');
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    const relay = relayId ? requireActive(await loadRelay(tx, relayId, { field: 'relayId' }), 'relayId') : null;
    const next = relay?.id ?? null;
    // The relay each member gets from its groups, with this group's relay as `value`: computed
    // for the old and the new value in one statement, before the group row changes.
    const groupRelayWith = (value: string | null) => sql`(
      select v.relay_id from (
        select case when g.id = ${group.id} then ${value}::uuid else g.relay_id end as relay_id, g.name, g.id
        from group_members gm2 join machine_groups g on g.id = gm2.group_id where gm2.machine_id = m.id
      ) v where v.relay_id is not null order by v.name, v.id limit 1)`;
    const result = await tx.execute(sql`
      with bumped as (
        update machines m set plan_version = plan_version + 1
        where m.id in (select machine_id from group_members where group_id = ${group.id})
          and m.relay_id is null
          and ${groupRelayWith(group.relayId)} is distinct from ${groupRelayWith(next)}
        returning 1)
      select count(*)::int as n from bumped`);
    const bumped = Number(rowsOf<{ n: number }>(result)[0].n);
    await tx.update(machineGroups).set({ relayId: next }).where(eq(machineGroups.id, group.id));
    await writeAudit(tx, { actor: admin, action: 'group.relay', targetType: 'group', targetId: group.id, targetLabel: group.name, before: { relayId: group.relayId }, after: { relayId: next, relay: relay?.name ?? null, plansBumped: bumped } });
    return { id: group.id, relayId: next, relay: relay?.name ?? null, plansBumped: bumped };
  });
}
