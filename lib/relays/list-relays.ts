import { asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relayContents, relayOrders, relays } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { toRelayView, type RelayView } from './relay-view';
import { servedCounts } from './served-counts';

export interface RelayListItem extends RelayView {
  parent: string | null;
  heldCount: number;
  heldBytes: number;
  /** Machines that download from this relay first (not counting those of its child relays). */
  machinesServed: number;
  requestedOrders: number;
}

/** Every relay system by name, with its state, disk, what it holds and how many machines it serves. */
export async function listRelays(db: Db, { actor, now = new Date() }: { actor: Actor | null; now?: Date }): Promise<RelayListItem[]> {
  requirePermission(actor, 'admin.view');
  const [rows, held, orders, served] = await Promise.all([
    db.select().from(relays).orderBy(asc(relays.name)),
    db.select({ relayId: relayContents.relayId, n: count(), bytes: sql<string>`coalesce(sum(${relayContents.size}), 0)` }).from(relayContents).groupBy(relayContents.relayId),
    db.select({ relayId: relayOrders.relayId, n: count() }).from(relayOrders).where(eq(relayOrders.state, 'requested')).groupBy(relayOrders.relayId),
    servedCounts(db),
  ]);
  const names = new Map(rows.map((r) => [r.id, r.name]));
  const heldBy = new Map(held.map((h) => [h.relayId, h]));
  const ordersBy = new Map(orders.map((o) => [o.relayId, o.n]));
  return rows.map((r) => ({
    ...toRelayView(r, now),
    parent: r.parentId ? (names.get(r.parentId) ?? null) : null,
    heldCount: heldBy.get(r.id)?.n ?? 0,
    heldBytes: Number(heldBy.get(r.id)?.bytes ?? 0),
    machinesServed: served.get(r.id) ?? 0,
    requestedOrders: ordersBy.get(r.id) ?? 0,
  }));
}

