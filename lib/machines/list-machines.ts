import { and, asc, count, eq, ilike, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { enrolmentSecrets, machines, users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { POLL } from './get-plan';
import { LAST_SEEN_EVERY_MS } from './resolve-machine';

export const listMachinesQuerySchema = z.object({
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  page: z.coerce.number({ message: 'expected a page number' }).int().min(1, 'expected a page number from 1').default(1),
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 200').max(200, 'expected 1 to 200').default(50),
});
export type ListMachinesQuery = { [K in keyof z.input<typeof listMachinesQuerySchema>]?: unknown };

export interface MachineView {
  id: string;
  hostname: string;
  timeZone: string;
  os: string | null;
  owner: string | null;
  enrolmentSecret: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  online: boolean;
}

// Online: seen within the interval at which last seen is written plus two of the longest poll
// intervals, so a machine that polls normally never flickers to offline.
export const ONLINE_WITHIN_MS = LAST_SEEN_EVERY_MS + 2 * (POLL.seconds + POLL.jitterSeconds) * 1000;

export function isOnline(lastSeenAt: Date | null, now: Date): boolean {
  return !!lastSeenAt && now.getTime() - lastSeenAt.getTime() < ONLINE_WITHIN_MS;
}

export async function listMachines(db: Db, { actor, query = {}, now = new Date() }: { actor: Actor | null; query?: ListMachinesQuery; now?: Date }) {
  requirePermission(actor, 'admin.view');
  const q = parseInput(listMachinesQuerySchema, query, 'query');
  const where: SQL[] = [isNull(machines.retiredAt)];
  if (q.q) where.push(ilike(machines.hostname, `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  const condition = and(...where);
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({ m: machines, owner: users.email, secret: enrolmentSecrets.name })
      .from(machines)
      .leftJoin(users, eq(users.id, machines.ownerId))
      .leftJoin(enrolmentSecrets, eq(enrolmentSecrets.id, machines.enrolmentSecretId))
      .where(condition)
      .orderBy(asc(machines.hostname))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(machines).where(condition),
  ]);
  const machinesOut: MachineView[] = rows.map(({ m, owner, secret }) => ({
    id: m.id,
    hostname: m.hostname,
    timeZone: m.timeZone,
    os: describeOs(m.facts.os),
    owner,
    enrolmentSecret: secret,
    enrolledAt: m.enrolledAt.toISOString(),
    lastSeenAt: m.lastSeenAt?.toISOString() ?? null,
    online: isOnline(m.lastSeenAt, now),
  }));
  return { machines: machinesOut, total, page: q.page, pageSize: q.pageSize };
}

/** "Debian GNU/Linux 12 (x64)" from reported facts: the inventory's os object, or an enrolment string. */
function describeOs(os: unknown): string | null {
  if (typeof os === 'string') return os;
  if (os && typeof os === 'object') {
    const o = os as { distro?: string; release?: string; arch?: string };
    return [o.distro, o.release].filter(Boolean).join(' ') + (o.arch ? ` (${o.arch})` : '') || null;
  }
  return null;
}
