import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relayContents, relayOrders, relays } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { loadPackage } from '@/lib/packages/load-package';
import { relayState, type RelayState } from './relay-state';

const ORDERS_SHOWN = 50;

/**
 * The package page's Relays card and GET /api/packages/<id>/relays: which relays hold the
 * package's content (as of their latest heartbeat), the latest delete and prefetch orders for it,
 * and every relay with whether it holds it (for choosing where to transfer it).
 */
export async function getPackageRelays(db: Db, { actor, id, now = new Date() }: { actor: Actor | null; id: string; now?: Date }) {
  requirePermission(actor, 'admin.view');
  const { pkg } = await loadPackage(db, id);
  const [all, held, orders] = await Promise.all([
    db.select().from(relays).orderBy(asc(relays.name)),
    db.select().from(relayContents).where(eq(relayContents.sha256, pkg.contentSha256)),
    db
      .select({ order: relayOrders, relay: relays.name })
      .from(relayOrders)
      .innerJoin(relays, eq(relays.id, relayOrders.relayId))
      .where(eq(relayOrders.sha256, pkg.contentSha256))
      .orderBy(desc(relayOrders.createdAt), desc(relayOrders.id))
      .limit(ORDERS_SHOWN),
  ]);
  const heldBy = new Map(held.map((h) => [h.relayId, h]));
  return {
    sha256: pkg.contentSha256,
    relays: all.map((r): { id: string; name: string; state: RelayState; holds: boolean; lastUsedAt: string | null } => ({
      id: r.id,
      name: r.name,
      state: relayState(r, now),
      holds: heldBy.has(r.id),
      lastUsedAt: heldBy.get(r.id)?.lastUsedAt?.toISOString() ?? null,
    })),
    orders: orders.map(({ order: o, relay }) => ({ id: o.id, relayId: o.relayId, relay, kind: o.kind, state: o.state, error: o.error, batchId: o.batchId, createdAt: o.createdAt.toISOString(), doneAt: o.doneAt?.toISOString() ?? null })),
  };
}
