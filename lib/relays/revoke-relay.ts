import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relayOrders, relays } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { bumpServedPlans } from './bump-served-plans';
import { loadRelay } from './load-relay';

export interface RevokeRelayOptions {
  actor: Actor | null;
  relayId: string;
  now?: Date;
}

/**
 * Revokes a relay: its token stops at once (heartbeats and content get 401, so it stops serving),
 * its machines' plans drop it from their content sources (they fall back to its parent, else the
 * server), and the orders it never carried out are closed as failed, so no page waits on them.
 */
export async function revokeRelay(db: Db, { actor, relayId, now = new Date() }: RevokeRelayOptions) {
  const admin = requirePermission(actor, 'relays.manage');
  return db.transaction(async (tx) => {
    const relay = await loadRelay(tx, relayId, { forUpdate: true });
    if (relay.revokedAt) throw new AppError('conflict', { message: `Relay system "${relay.name}" is already revoked.` });
    await tx.update(relays).set({ revokedAt: now }).where(eq(relays.id, relay.id));
    const closed = await tx
      .update(relayOrders)
      .set({ state: 'failed', error: 'The relay system was revoked before it carried this out.', doneAt: now })
      .where(and(eq(relayOrders.relayId, relay.id), eq(relayOrders.state, 'requested')))
      .returning({ id: relayOrders.id });
    const bumped = await bumpServedPlans(tx, relay.id);
    await writeAudit(tx, { actor: admin, action: 'relay.revoke', targetType: 'relay', targetId: relay.id, targetLabel: relay.name, after: { plansBumped: bumped, ordersClosed: closed.length } });
    return { id: relay.id, name: relay.name, revokedAt: now.toISOString(), plansBumped: bumped, ordersClosed: closed.length };
  });
}
