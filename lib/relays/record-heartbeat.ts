import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { heartbeatRequestSchema, type HeartbeatResponse } from '@/lib/contract/relay-api';
import { AppError, parseInput } from '@/lib/errors';
import { rowsOf } from '@/lib/sql';
import { pinnedContent } from './pinned-content';
import { HEARTBEAT_SECONDS } from './relay-state';
import type { RelayIdentity } from './resolve-relay';

// A relay learns at most this many orders per heartbeat; the rest come with the next ones.
const ORDERS_PER_HEARTBEAT = 1000;

export interface RecordHeartbeatOptions {
  relay: RelayIdentity;
  input: unknown;
  now?: Date;
}

/**
 * A relay's heartbeat: its figures and health, what it holds now (replacing the stored list,
 * set-based: rows it no longer holds go, new ones come, changed ones are updated) and the outcome
 * of orders, in one transaction; answered with the orders still requested and the content its
 * machines still need. Outcomes only move that relay's own requested orders, so a repeated
 * heartbeat (the relay did not get the answer) changes nothing the second time.
 */
export async function recordHeartbeat(db: Db, { relay, input, now = new Date() }: RecordHeartbeatOptions): Promise<HeartbeatResponse> {
  const hb = parseInput(heartbeatRequestSchema, input, 'body');
  // A content listed twice would make the upsert touch one row twice, which PostgreSQL refuses.
  const held = [...new Map(hb.held.map((h) => [h.sha256, h])).values()];
  await db.transaction(async (tx) => {
    // First, so two heartbeats of one relay at once take turns on its row, and a revoke that
    // committed since the token was checked wins.
    const updated = await tx.execute(sql`
      update relays set last_heartbeat_at = ${now.toISOString()}::timestamptz, disk_free_bytes = ${hb.diskFreeBytes},
             cache_used_bytes = ${hb.cacheUsedBytes}, cache_limit_bytes = ${hb.cacheLimitBytes}, health = ${JSON.stringify(hb.health)}::jsonb
      where id = ${relay.id} and revoked_at is null
      returning id`);
    if (rowsOf(updated).length === 0) throw new AppError('unauthorized', { message: 'This relay system was revoked.' });
    if (hb.orders.length) {
      await tx.execute(sql`
        update relay_orders o
        set state = x.state::relay_order_state,
            error = case when x.state = 'failed' then coalesce(nullif(x.error, ''), 'The relay reported a failure without a message.') end,
            done_at = ${now.toISOString()}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(hb.orders)}::jsonb) as x("orderId" uuid, state text, error text)
        where o.id = x."orderId" and o.relay_id = ${relay.id} and o.state = 'requested'`);
    }
    const list = JSON.stringify(held);
    await tx.execute(sql`
      delete from relay_contents c
      where c.relay_id = ${relay.id}
        and not exists (select 1 from jsonb_to_recordset(${list}::jsonb) as x(sha256 text) where x.sha256 = c.sha256)`);
    if (held.length) {
      await tx.execute(sql`
        insert into relay_contents (relay_id, sha256, size, last_used_at, reported_at)
        select ${relay.id}, x.sha256, x.size, x."lastUsedAt", ${now.toISOString()}::timestamptz
        from jsonb_to_recordset(${list}::jsonb) as x(sha256 text, size bigint, "lastUsedAt" timestamptz)
        on conflict (relay_id, sha256) do update set size = excluded.size, last_used_at = excluded.last_used_at
        -- An idle relay reports the same list every time: rows that did not change are not rewritten.
        where relay_contents.size is distinct from excluded.size or relay_contents.last_used_at is distinct from excluded.last_used_at`);
    }
  });
  const [orders, pinned] = await Promise.all([requestedOrders(db, relay.id), pinnedContent(db, relay.id)]);
  return { relayId: relay.id, name: relay.name, heartbeatSeconds: HEARTBEAT_SECONDS, orders, pinned };
}

async function requestedOrders(db: Db, relayId: string): Promise<HeartbeatResponse['orders']> {
  const result = await db.execute(sql`
    select o.id, o.kind, o.sha256, coalesce(b.size, 0)::bigint as size
    from relay_orders o left join content_blobs b on b.sha256 = o.sha256
    where o.relay_id = ${relayId} and o.state = 'requested'
    order by o.created_at, o.id
    limit ${ORDERS_PER_HEARTBEAT}`);
  return rowsOf<{ id: string; kind: 'delete' | 'prefetch'; sha256: string; size: string | number }>(result).map((r) => ({ orderId: r.id, kind: r.kind, sha256: r.sha256, size: Number(r.size) }));
}
