import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { loadMachineForUpdate } from '@/lib/machines/load-machine';
import { rowsOf } from '@/lib/sql';
import { loadRelay, requireActive } from './load-relay';
import { groupRelayOf } from './relay-sql';
import { setRelaySchema, type SetRelayInput } from './schemas';

export interface SetMachineRelayOptions {
  actor: Actor | null;
  machineId: string;
  input: SetRelayInput;
}

/**
 * Sets (or clears) the relay a machine downloads from. Its plan is bumped only when the relay it
 * actually downloads from changes: clearing its own relay in favour of the same relay through
 * its groups changes nothing for the agent.
 */
export async function setMachineRelay(db: Db, { actor, machineId, input }: SetMachineRelayOptions) {
  const admin = requirePermission(actor, 'relays.manage');
  const { relayId } = parseInput(setRelaySchema, input, 'body');
  return db.transaction(async (tx) => {
    const machine = await loadMachineForUpdate(tx, machineId);
    const relay = relayId ? requireActive(await loadRelay(tx, relayId, { field: 'relayId' }), 'relayId') : null;
    const [{ group_relay: groupRelay }] = rowsOf<{ group_relay: string | null }>(await tx.execute(sql`select ${groupRelayOf(sql`${machine.id}::uuid`)} as group_relay`));
    const before = machine.relayId ?? groupRelay;
    const after = relay?.id ?? groupRelay;
    await tx
      .update(machines)
      .set({ relayId: relay?.id ?? null, ...(before !== after ? { planVersion: sql`${machines.planVersion} + 1` } : {}) })
      .where(eq(machines.id, machine.id));
    await writeAudit(tx, { actor: admin, action: 'machine.relay', targetType: 'machine', targetId: machine.id, targetLabel: machine.hostname, before: { relayId: machine.relayId }, after: { relayId: relay?.id ?? null, relay: relay?.name ?? null } });
    return { id: machine.id, relayId: relay?.id ?? null, relay: relay?.name ?? null, downloadsFrom: after, planBumped: before !== after };
  });
}
