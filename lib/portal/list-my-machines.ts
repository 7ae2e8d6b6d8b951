import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { loadTimelines } from './load-timelines';
import { summarize, type MyMachineSummary } from './machine-view';
import { portalNotifications, type Notice } from './notifications';
import { recentFailures } from './recent-failures';

export interface MyMachines {
  machines: MyMachineSummary[];
  /** Mandatory installs within 24 h and deadlines within 48 h, on all of them, soonest first. */
  notifications: Notice[];
}

/**
 * My machines (the portal's home page and GET /api/portal/machines): the signed-in user's own
 * machines that are not retired, by host name, each with its state, what starts next and when
 * (the agent's own arithmetic, see load-timelines.ts) and its failures of the last 7 days. Any
 * role may use the portal; everyone sees only the machines they own.
 */
export async function listMyMachines(db: Db, { actor, now = new Date() }: { actor: Actor | null; now?: Date }): Promise<MyMachines> {
  const user = requirePermission(actor, 'portal.use');
  const owned = await db
    .select()
    .from(machines)
    .where(and(eq(machines.ownerId, user.id), isNull(machines.retiredAt)))
    .orderBy(asc(machines.hostname), asc(machines.id));
  const ids = owned.map((m) => m.id);
  const [timelines, failures] = await Promise.all([loadTimelines(db, owned, now, { offersEndingBy: null }), recentFailures(db, ids, now)]);
  return {
    machines: owned.map((m) => summarize(m, timelines.get(m.id), failures.get(m.id) ?? 0, now)),
    notifications: portalNotifications([...timelines.values()].flatMap((t) => t.timeline), now),
  };
}
