import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { packages, relayOrders, relays, type Relay } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { loadPackage } from '@/lib/packages/load-package';
import { packageLabel } from '@/lib/packages/public-package';
import { contentLabel } from './relay-view';
import { relayOrderBatchSchema, relayOrderSchema, type RelayOrderBatchInput, type RelayOrderInput } from './schemas';

export type CreateRelayOrdersOptions =
  | { actor: Actor | null; relayId: string; input: RelayOrderInput }
  | { actor: Actor | null; relayId?: undefined; input: RelayOrderBatchInput };

export interface CreatedRelayOrders {
  batchId: string | null;
  kind: 'delete' | 'prefetch';
  sha256: string;
  packageLabel: string;
  orders: { id: string; relayId: string; relay: string; state: 'requested' }[];
}

/**
 * Orders relays to delete a package's content from their cache, or to fetch it now (transfer to
 * relay), for one relay (POST /api/relays/<id>/orders) or several at once (POST /api/relay-orders,
 * chosen relays or every relay that is not revoked: one order per relay sharing a batch id). Each
 * relay learns its order on its next heartbeat and reports the outcome on the one after.
 * A still-requested order of the other kind for the same content and relay is superseded (closed
 * as failed, saying so): the newer order is what the admin wants now.
 */
export async function createRelayOrders(db: Db, options: CreateRelayOrdersOptions): Promise<CreatedRelayOrders> {
  const admin = requirePermission(options.actor, 'relays.manage');
  const single = options.relayId !== undefined;
  const input = single ? { ...parseInput(relayOrderSchema, options.input, 'body'), relayIds: [options.relayId], all: undefined } : parseInput(relayOrderBatchSchema, options.input, 'body');
  return db.transaction(async (tx) => {
    const chosen = await lockRelays(tx, input.all ? null : [...new Set(input.relayIds!)], single);
    const target = await resolveTarget(tx, input);
    const batchId = single ? null : crypto.randomUUID();
    const now = new Date();
    const relayIds = chosen.map((r) => r.id);
    await tx
      .update(relayOrders)
      .set({ state: 'failed', error: `Superseded by a later ${input.kind} order before the relay carried it out.`, doneAt: now })
      .where(and(inArray(relayOrders.relayId, relayIds), eq(relayOrders.sha256, target.sha256), eq(relayOrders.state, 'requested'), ne(relayOrders.kind, input.kind)));
    const rows = await tx
      .insert(relayOrders)
      .values(chosen.map((r) => ({ relayId: r.id, kind: input.kind, sha256: target.sha256, packageId: target.packageId, packageLabel: target.label, batchId, requestedBy: admin.id })))
      .returning({ id: relayOrders.id, relayId: relayOrders.relayId });
    const names = new Map(chosen.map((r) => [r.id, r.name]));
    await writeAudit(tx, {
      actor: admin,
      action: input.kind === 'delete' ? 'relay.order_delete' : 'relay.order_prefetch',
      targetType: single ? 'relay' : target.packageId ? 'package' : 'content',
      targetId: single ? chosen[0].id : (target.packageId ?? target.sha256),
      targetLabel: single ? chosen[0].name : target.label,
      after: { kind: input.kind, package: target.label, sha256: target.sha256, relays: chosen.map((r) => r.name), batchId },
    });
    return { batchId, kind: input.kind, sha256: target.sha256, packageLabel: target.label, orders: rows.map((o) => ({ id: o.id, relayId: o.relayId, relay: names.get(o.relayId)!, state: 'requested' as const })) };
  });
}

async function resolveTarget(tx: Db, input: { packageId?: string; sha256?: string }): Promise<{ sha256: string; packageId: string | null; label: string }> {
  if (input.packageId) {
    const { pkg } = await loadPackage(tx, input.packageId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') throw new AppError('not_found', { field: 'packageId', message: `packageId: no package with id ${input.packageId}` });
      throw error;
    });
    return { sha256: pkg.contentSha256, packageId: pkg.id, label: packageLabel(pkg) };
  }
  // A bare content (delete only): named after a package that still uses it, if any.
  const sha256 = input.sha256!;
  const [pkg] = await tx.select().from(packages).where(eq(packages.contentSha256, sha256)).orderBy(asc(packages.createdAt)).limit(1);
  return { sha256, packageId: pkg?.id ?? null, label: pkg ? packageLabel(pkg) : contentLabel(sha256) };
}

/** The relays ordered, locked in id order (so a revoke waits, and two batches take turns); every relay not revoked for `null`. */
async function lockRelays(tx: Db, ids: string[] | null, single: boolean): Promise<Relay[]> {
  if (ids === null) {
    const active = await tx.select().from(relays).where(isNull(relays.revokedAt)).orderBy(asc(relays.id)).for('update');
    if (active.length === 0) throw new AppError('conflict', { field: 'all', message: 'all: no relay system is registered (or every one is revoked); nothing to order' });
    return active;
  }
  const field = single ? undefined : 'relayIds';
  const malformed = ids.find((id) => !isUuid(id));
  if (malformed !== undefined) throw new AppError('not_found', { field, message: `${field ? `${field}: ` : ''}no relay system with id ${malformed}` });
  const rows = await tx.select().from(relays).where(inArray(relays.id, ids)).orderBy(asc(relays.id)).for('update');
  const missing = ids.find((id) => !rows.some((r) => r.id === id));
  if (missing) throw new AppError('not_found', { field, message: `${field ? `${field}: ` : ''}no relay system with id ${missing}` });
  const revoked = rows.find((r) => r.revokedAt);
  if (revoked) throw new AppError('conflict', { field, message: `${field ? `${field}: ` : ''}relay system "${revoked.name}" is revoked; it carries out no orders` });
  return rows;
}
