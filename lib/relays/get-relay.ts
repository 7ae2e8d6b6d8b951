import { asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machineGroups, packages, relayContents, relayOrders, relays, users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { packageLabel } from '@/lib/packages/public-package';
import { rowsOf } from '@/lib/sql';
import { groupRelayOf, servedMachinesCte } from './relay-sql';
import { relayState } from './relay-state';
import { contentLabel, toRelayView } from './relay-view';

// The page lists this many of each; totals say how many there are.
const HELD_SHOWN = 500;
const ORDERS_SHOWN = 100;
const MACHINES_SHOWN = 200;

/**
 * One relay for its page and GET /api/relays/<id>: state, disk and health, what it holds (with
 * the packages that use each content), its orders, the machines and groups it serves, its parent
 * and child relays.
 */
export async function getRelay(db: Db, { actor, id, now = new Date() }: { actor: Actor | null; id: string; now?: Date }) {
  requirePermission(actor, 'admin.view');
  const [relay] = isUuid(id) ? await db.select().from(relays).where(eq(relays.id, id)) : [];
  if (!relay) throw new AppError('not_found', { message: `No relay system with id ${id}.` });
  const [held, [heldTotal], orders, machines, groups, family, servedTotal] = await Promise.all([
    db
      .select({ sha256: relayContents.sha256, size: relayContents.size, lastUsedAt: relayContents.lastUsedAt, reportedAt: relayContents.reportedAt })
      .from(relayContents)
      .where(eq(relayContents.relayId, relay.id))
      .orderBy(sql`${relayContents.lastUsedAt} desc nulls last`, asc(relayContents.sha256))
      .limit(HELD_SHOWN),
    db.select({ n: count(), bytes: sql<string>`coalesce(sum(${relayContents.size}), 0)` }).from(relayContents).where(eq(relayContents.relayId, relay.id)),
    db
      .select({ order: relayOrders, requestedBy: users.email })
      .from(relayOrders)
      .leftJoin(users, eq(users.id, relayOrders.requestedBy))
      .where(eq(relayOrders.relayId, relay.id))
      .orderBy(desc(relayOrders.createdAt), desc(relayOrders.id))
      .limit(ORDERS_SHOWN),
    servedDirectly(db, relay.id),
    db
      .select({ id: machineGroups.id, name: machineGroups.name, members: count(groupMembers.machineId) })
      .from(machineGroups)
      .leftJoin(groupMembers, eq(groupMembers.groupId, machineGroups.id))
      .where(eq(machineGroups.relayId, relay.id))
      .groupBy(machineGroups.id)
      .orderBy(asc(machineGroups.name)),
    db.select().from(relays).where(sql`${relays.parentId} = ${relay.id} or ${relays.id} = ${relay.parentId}`).orderBy(asc(relays.name)),
    db.execute(sql`with recursive ${servedMachinesCte(relay.id)} select count(*)::int as n from machines where id in (select id from served) and retired_at is null`),
  ]);
  const holders = held.length
    ? await db.select({ id: packages.id, sha256: packages.contentSha256, displayName: packages.displayName, packageId: packages.packageId, version: packages.version, generation: packages.generation }).from(packages).where(inArray(packages.contentSha256, held.map((h) => h.sha256))).orderBy(asc(packages.packageId))
    : [];
  const parent = family.find((r) => r.id === relay.parentId);
  return {
    ...toRelayView(relay, now),
    parent: parent ? { id: parent.id, name: parent.name, state: relayState(parent, now) } : null,
    children: family.filter((r) => r.parentId === relay.id).map((r) => ({ id: r.id, name: r.name, state: relayState(r, now) })),
    heldCount: heldTotal.n,
    heldBytes: Number(heldTotal.bytes),
    held: held.map((h) => ({
      sha256: h.sha256,
      size: h.size,
      lastUsedAt: h.lastUsedAt?.toISOString() ?? null,
      reportedAt: h.reportedAt.toISOString(),
      // The packages with this content (identical files share one); none when they were deleted.
      packages: holders.filter((p) => p.sha256 === h.sha256).map((p) => ({ id: p.id, displayName: p.displayName, label: packageLabel(p) })),
    })),
    orders: orders.map(({ order: o, requestedBy }) => ({
      id: o.id,
      kind: o.kind,
      state: o.state,
      error: o.error,
      sha256: o.sha256,
      packageId: o.packageId,
      packageLabel: o.packageLabel,
      // Made for a package that is gone now (deleted with or after the order; the foreign key
      // cleared the link but the label stays), rather than for bare content no package had.
      packageDeleted: o.packageId === null && o.packageLabel !== contentLabel(o.sha256),
      batchId: o.batchId,
      requestedBy,
      createdAt: o.createdAt.toISOString(),
      doneAt: o.doneAt?.toISOString() ?? null,
    })),
    machines,
    groups,
    /** Machines that download from it first or through one of its child relays. */
    machinesServedTotal: Number(rowsOf<{ n: number }>(servedTotal)[0].n),
  };
}
export type RelayDetail = Awaited<ReturnType<typeof getRelay>>;

/** The machines that download from this relay first (own setting, else their groups'), a page of them and the count. */
async function servedDirectly(db: Db, relayId: string) {
  const viaGroup = sql`m.relay_id is null and m.id in (select gm.machine_id from group_members gm join machine_groups g on g.id = gm.group_id where g.relay_id = ${relayId}) and ${groupRelayOf(sql`m.id`)} = ${relayId}`;
  const where = sql`m.retired_at is null and (m.relay_id = ${relayId} or (${viaGroup}))`;
  const [list, total] = await Promise.all([
    db.execute(sql`select m.id, m.hostname, m.relay_id is not null as own from machines m where ${where} order by m.hostname, m.id limit ${MACHINES_SHOWN}`),
    db.execute(sql`select count(*)::int as n from machines m where ${where}`),
  ]);
  return {
    total: Number(rowsOf<{ n: number }>(total)[0].n),
    list: rowsOf<{ id: string; hostname: string; own: boolean }>(list).map((m) => ({ id: m.id, hostname: m.hostname, via: m.own ? ('machine' as const) : ('group' as const) })),
  };
}
