import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relayContents, relayOrders } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Actor } from '@/lib/auth/permissions';
import { pgArray, rowsOf } from '@/lib/sql';

export interface ReleasedContent {
  sha256: string;
  /** The label of the deleted package it belonged to, kept on the orders for the relay page. */
  label: string;
}

/**
 * Orders every relay that holds content no package uses any more (the last package with those
 * bytes was just deleted) to delete it, inside the deleting transaction: one delete order per
 * relay, one batch per content, as "Delete from all relays" makes them, so each relay drops the
 * file on its next heartbeat. Content another package still has is never passed here (the
 * caller passes only the content rows it released), so a relay keeps serving that one.
 *
 * The orders point at the content, not at the package: `relay_orders.sha256` is what the relay
 * acts on, and `package_id` is only the page's link, which the package's foreign key sets to null
 * (ON DELETE SET NULL), so the order outlives the package with its label. That is why they are
 * inserted without a package id: the row is gone by now.
 *
 * "Holds" is the relay's latest heartbeat (relay_contents), plus the relays still asked to fetch
 * it: their waiting transfer can no longer succeed (the server has no such content any more) and
 * a fetch that finished before this commit would otherwise leave an orphan until eviction. Those
 * waiting transfers are closed as failed, saying why. A relay already asked to delete it gets no
 * second order. Revoked relays carry out nothing and are left out.
 *
 * Deleting packages needs deploy.manage, not relays.manage: these orders are the consequence of
 * that deletion (the server stops serving the bytes either way), not an admin's choice of relays,
 * so the deleting actor is recorded as having requested them.
 */
export async function orderReleasedContentDeletion(tx: Db, { actor, released }: { actor: Actor; released: ReleasedContent[] }): Promise<number> {
  if (released.length === 0) return 0;
  const shas = pgArray(released.map((r) => r.sha256));
  // The relays concerned, locked in id order as createRelayOrders locks them: a revoke running
  // now either commits first (the re-checked revoked_at leaves the relay out) or waits for this
  // commit and then closes these orders with the relay's others; a heartbeat waits too.
  const locked = rowsOf<{ id: string; name: string }>(
    await tx.execute(sql`
      select r.id, r.name from relays r
      where r.revoked_at is null
        -- Probed per relay (relays are few): by relay_contents' key and relay_orders' (relay_id, state) index.
        and (exists (select 1 from relay_contents c where c.relay_id = r.id and c.sha256 = any(${shas}::text[]))
             or exists (select 1 from relay_orders o where o.relay_id = r.id and o.state = 'requested' and o.kind = 'prefetch' and o.sha256 = any(${shas}::text[])))
      order by r.id
      for update of r`),
  );
  if (locked.length === 0) return 0;
  const now = new Date();
  const relayIds = pgArray(locked.map((r) => r.id));
  const ofThem = (table: typeof relayOrders | typeof relayContents) => sql`${table.sha256} = any(${shas}::text[]) and ${table.relayId} = any(${relayIds}::uuid[])`;
  const closed = await tx
    .update(relayOrders)
    .set({ state: 'failed', error: 'Its package was deleted before the relay fetched it; the server no longer has this content.', doneAt: now })
    .where(and(ofThem(relayOrders), eq(relayOrders.kind, 'prefetch'), eq(relayOrders.state, 'requested')))
    .returning({ relayId: relayOrders.relayId, sha256: relayOrders.sha256 });
  const waiting = await tx
    .select({ relayId: relayOrders.relayId, sha256: relayOrders.sha256 })
    .from(relayOrders)
    .where(and(ofThem(relayOrders), eq(relayOrders.kind, 'delete'), eq(relayOrders.state, 'requested')));
  const held = await tx.select({ relayId: relayContents.relayId, sha256: relayContents.sha256 }).from(relayContents).where(ofThem(relayContents));
  const alreadyOrdered = new Set(waiting.map((w) => `${w.relayId} ${w.sha256}`));
  const relaysOf = new Map<string, Set<string>>();
  for (const { relayId, sha256 } of [...held, ...closed]) {
    if (alreadyOrdered.has(`${relayId} ${sha256}`)) continue;
    relaysOf.set(sha256, (relaysOf.get(sha256) ?? new Set()).add(relayId));
  }
  const names = new Map(locked.map((r) => [r.id, r.name]));
  let ordered = 0;
  for (const content of released) {
    const chosen = [...(relaysOf.get(content.sha256) ?? [])].sort();
    if (chosen.length === 0) continue;
    const batchId = crypto.randomUUID();
    await tx.insert(relayOrders).values(chosen.map((relayId) => ({ relayId, kind: 'delete' as const, sha256: content.sha256, packageId: null, packageLabel: content.label, batchId, requestedBy: actor.id })));
    await writeAudit(tx, {
      actor,
      action: 'relay.order_delete',
      targetType: 'content',
      targetId: content.sha256,
      targetLabel: content.label,
      after: { kind: 'delete', package: content.label, sha256: content.sha256, relays: chosen.map((id) => names.get(id)!), batchId, reason: 'package deleted' },
    });
    ordered += chosen.length;
  }
  return ordered;
}
