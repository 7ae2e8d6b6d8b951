import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines, relays } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { rowsOf } from '@/lib/sql';
import { contentSources } from './content-sources';
import { groupRelayOf } from './relay-sql';

export interface RelayRef {
  id: string;
  name: string;
  /** Revoked: it serves nobody, and the plan skips it (its parents, else the server, stand in). */
  revoked: boolean;
}

/**
 * For the machine page: its own relay, the one it gets from its groups (each possibly revoked,
 * and then said so), and the chain it downloads from (the plan's content sources), so the page
 * says where its content comes from.
 */
export async function getMachineRelay(db: Db, { actor, machineId }: { actor: Actor | null; machineId: string }) {
  requirePermission(actor, 'admin.view');
  const [m] = isUuid(machineId)
    ? await db
        .select({ id: machines.id, relayId: machines.relayId, name: relays.name, revokedAt: relays.revokedAt })
        .from(machines)
        .leftJoin(relays, eq(relays.id, machines.relayId))
        .where(eq(machines.id, machineId))
    : [];
  if (!m) throw new AppError('not_found', { message: `No machine with id ${machineId}.` });
  const [groupRow] = rowsOf<{ id: string; name: string; revoked: boolean }>(
    await db.execute(sql`select r.id, r.name, r.revoked_at is not null as revoked from relays r where r.id = ${groupRelayOf(sql`${m.id}::uuid`)}`),
  );
  return {
    relayId: m.relayId,
    relay: m.relayId && m.name !== null ? ({ id: m.relayId, name: m.name, revoked: m.revokedAt !== null } satisfies RelayRef) : null,
    groupRelay: groupRow ? ({ id: groupRow.id, name: groupRow.name, revoked: groupRow.revoked } satisfies RelayRef) : null,
    sources: await contentSources(db, m.id),
  };
}
