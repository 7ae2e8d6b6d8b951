import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines, relays } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { rowsOf } from '@/lib/sql';
import { contentSources } from './content-sources';
import { groupRelayOf } from './relay-sql';

/**
 * For the machine page: its own relay, the one it gets from its groups, and the chain it downloads
 * from (the plan's content sources), so the page says where its content comes from.
 */
export async function getMachineRelay(db: Db, { actor, machineId }: { actor: Actor | null; machineId: string }) {
  requirePermission(actor, 'admin.view');
  const [m] = isUuid(machineId) ? await db.select({ id: machines.id, relayId: machines.relayId, own: relays.name }).from(machines).leftJoin(relays, eq(relays.id, machines.relayId)).where(eq(machines.id, machineId)) : [];
  if (!m) throw new AppError('not_found', { message: `No machine with id ${machineId}.` });
  const [groupRow] = rowsOf<{ id: string | null; name: string | null }>(
    await db.execute(sql`select r.id, r.name from relays r where r.id = ${groupRelayOf(sql`${m.id}::uuid`)}`),
  );
  return {
    relayId: m.relayId,
    relay: m.own,
    groupRelay: groupRow?.id ? { id: groupRow.id, name: groupRow.name! } : null,
    sources: await contentSources(db, m.id),
  };
}
