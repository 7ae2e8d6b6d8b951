import { and, asc, count, eq, ilike, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { assignments, enrolmentSecrets, groupMembers, machineGroups, machines, users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { relaysOfMachines, type MachineRelay } from '@/lib/relays/relays-of-machines';
import { pgArray, rowsOf } from '@/lib/sql';
import { POLL } from './get-plan';
import { LAST_SEEN_EVERY_MS } from './resolve-machine';

export const MACHINE_STATES = ['online', 'offline', 'never', 'failing', 'retired'] as const;
export type MachineStateFilter = (typeof MACHINE_STATES)[number];

const optionalText = (max: number) =>
  z
    .string({ message: 'expected text' })
    .trim()
    .max(max, `expected at most ${max} characters`)
    .optional()
    .transform((v) => v || undefined);

export const listMachinesQuerySchema = z.object({
  q: optionalText(200),
  /** The distribution as reported ("Debian GNU/Linux"), exactly as in the OS filter's choices. */
  os: optionalText(200),
  group: z.union([z.literal(''), z.uuid({ message: 'expected a group id (a UUID)' })]).optional().transform((v) => v || undefined),
  /** A user id, or "none" for machines without an owner. */
  owner: z.union([z.literal(''), z.literal('none'), z.uuid({ message: 'expected a user id (a UUID) or "none"' })]).optional().transform((v) => v || undefined),
  state: z.union([z.literal(''), z.enum(MACHINE_STATES, { message: `expected one of ${MACHINE_STATES.join(', ')}` })]).optional().transform((v) => v || undefined),
  page: pageParam(),
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 200').max(200, 'expected 1 to 200').default(50),
});
export type ListMachinesQuery = { [K in keyof z.input<typeof listMachinesQuerySchema>]?: unknown };

export interface MachineView {
  id: string;
  hostname: string;
  timeZone: string;
  os: string | null;
  owner: string | null;
  ownerId: string | null;
  groups: { id: string; name: string }[];
  enrolmentSecret: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  retiredAt: string | null;
  online: boolean;
  /** Assignments the agent still has to carry out (pending, held, downloading, ready, installing). */
  pending: number;
  /** Assignments whose latest attempt failed. */
  failed: number;
  /** The relay system it downloads from first (its own or its groups'), null: the managing server. */
  relay: MachineRelay | null;
}

// Online: seen within the interval at which last seen is written plus two of the longest poll
// intervals, so a machine that polls normally never flickers to offline.
export const ONLINE_WITHIN_MS = LAST_SEEN_EVERY_MS + 2 * (POLL.seconds + POLL.jitterSeconds) * 1000;

export function isOnline(lastSeenAt: Date | null, now: Date): boolean {
  return !!lastSeenAt && now.getTime() - lastSeenAt.getTime() < ONLINE_WITHIN_MS;
}

const distro = sql<string | null>`${machines.facts} -> 'os' ->> 'distro'`;

/**
 * The machines page and GET /api/machines: one page of machines matching every filter, sorted
 * by host name, with their groups and pending / failed counts fetched for that page only, so the
 * cost follows the page size, not the fleet.
 */
export async function listMachines(db: Db, { actor, query = {}, now = new Date() }: { actor: Actor | null; query?: ListMachinesQuery; now?: Date }) {
  requirePermission(actor, 'admin.view');
  const q = parseInput(listMachinesQuerySchema, query, 'query');
  const onlineSince = new Date(now.getTime() - ONLINE_WITHIN_MS);
  const where: SQL[] = [q.state === 'retired' ? isNotNull(machines.retiredAt) : isNull(machines.retiredAt)];
  if (q.q) where.push(ilike(machines.hostname, `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (q.os) where.push(sql`${distro} = ${q.os}`);
  if (q.group) where.push(sql`${machines.id} in (select ${groupMembers.machineId} from ${groupMembers} where ${groupMembers.groupId} = ${q.group})`);
  if (q.owner === 'none') where.push(isNull(machines.ownerId));
  else if (q.owner) where.push(eq(machines.ownerId, q.owner));
  if (q.state === 'online') where.push(sql`${machines.lastSeenAt} >= ${onlineSince.toISOString()}`);
  if (q.state === 'offline') where.push(lt(machines.lastSeenAt, onlineSince));
  if (q.state === 'never') where.push(isNull(machines.lastSeenAt));
  if (q.state === 'failing') where.push(sql`exists (select 1 from ${assignments} a where a.machine_id = ${machines.id} and a.state = 'failed')`);
  const condition = and(...where);
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({ m: machines, owner: users.email, secret: enrolmentSecrets.name })
      .from(machines)
      .leftJoin(users, eq(users.id, machines.ownerId))
      .leftJoin(enrolmentSecrets, eq(enrolmentSecrets.id, machines.enrolmentSecretId))
      .where(condition)
      .orderBy(asc(machines.hostname), asc(machines.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(machines).where(condition),
  ]);
  const ids = rows.map((r) => r.m.id);
  const [groups, counts, relays] = await Promise.all([groupsOf(db, ids), assignmentCounts(db, ids), relaysOfMachines(db, ids)]);
  const machinesOut: MachineView[] = rows.map(({ m, owner, secret }) => ({
    id: m.id,
    hostname: m.hostname,
    timeZone: m.timeZone,
    os: describeOs(m.facts.os),
    owner,
    ownerId: m.ownerId,
    groups: groups.get(m.id) ?? [],
    enrolmentSecret: secret,
    enrolledAt: m.enrolledAt.toISOString(),
    lastSeenAt: m.lastSeenAt?.toISOString() ?? null,
    retiredAt: m.retiredAt?.toISOString() ?? null,
    online: !m.retiredAt && isOnline(m.lastSeenAt, now),
    pending: counts.get(m.id)?.pending ?? 0,
    failed: counts.get(m.id)?.failed ?? 0,
    relay: relays.get(m.id) ?? null,
  }));
  return { machines: machinesOut, total, page: q.page, pageSize: q.pageSize, filters: { q: q.q, os: q.os, group: q.group, owner: q.owner, state: q.state } };
}

/** The choices of the machines page's filters: reported distributions, groups and owners. */
export async function machineFilterChoices(db: Db, { actor }: { actor: Actor | null }) {
  requirePermission(actor, 'admin.view');
  const [os, groups, owners] = await Promise.all([
    db.selectDistinct({ os: distro }).from(machines).where(and(isNull(machines.retiredAt), isNotNull(distro))).orderBy(distro),
    db.select({ id: machineGroups.id, name: machineGroups.name }).from(machineGroups).orderBy(asc(machineGroups.name)),
    db
      .selectDistinct({ id: users.id, email: users.email })
      .from(users)
      .innerJoin(machines, eq(machines.ownerId, users.id))
      .orderBy(asc(users.email)),
  ]);
  return { os: os.map((r) => r.os).filter((v): v is string => !!v), groups, owners };
}

async function groupsOf(db: Db, ids: string[]): Promise<Map<string, { id: string; name: string }[]>> {
  const byMachine = new Map<string, { id: string; name: string }[]>();
  if (ids.length === 0) return byMachine;
  const rows = await db
    .select({ machineId: groupMembers.machineId, id: machineGroups.id, name: machineGroups.name })
    .from(groupMembers)
    .innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId))
    .where(sql`${groupMembers.machineId} = any(${pgArray(ids)}::uuid[])`)
    .orderBy(asc(machineGroups.name));
  for (const r of rows) byMachine.set(r.machineId, [...(byMachine.get(r.machineId) ?? []), { id: r.id, name: r.name }]);
  return byMachine;
}

async function assignmentCounts(db: Db, ids: string[]): Promise<Map<string, { pending: number; failed: number }>> {
  const byMachine = new Map<string, { pending: number; failed: number }>();
  if (ids.length === 0) return byMachine;
  const result = await db.execute(sql`
    select machine_id,
           count(*) filter (where state in ('pending', 'held', 'downloading', 'ready', 'installing'))::int as pending,
           count(*) filter (where state = 'failed')::int as failed
    from ${assignments}
    where machine_id = any(${pgArray(ids)}::uuid[]) and state in ('pending', 'held', 'downloading', 'ready', 'installing', 'failed')
    group by machine_id`);
  for (const r of rowsOf<{ machine_id: string; pending: number; failed: number }>(result)) byMachine.set(r.machine_id, { pending: Number(r.pending), failed: Number(r.failed) });
  return byMachine;
}

/** "Debian GNU/Linux 12 (x64)" from reported facts: the inventory's os object, or an enrolment string. */
export function describeOs(os: unknown): string | null {
  if (typeof os === 'string') return os;
  if (os && typeof os === 'object') {
    const o = os as { distro?: string; release?: string; arch?: string };
    return [o.distro, o.release].filter(Boolean).join(' ') + (o.arch ? ` (${o.arch})` : '') || null;
  }
  return null;
}
