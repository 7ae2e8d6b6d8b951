import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { guardrailViolationsOf } from '@/lib/groups/guardrails-of-machines';
import { effectiveWindows, groupDefaultsOf, NO_GROUPS } from '@/lib/machines/get-plan';
import { nextOpening } from '@/lib/schedule/next-opening';

/**
 * The signed-in user's machines with the windows each uses now, where they come from and the next
 * opening, for the portal's windows overview. The group defaults of all of them in one query,
 * with the plan's own code (groupDefaultsOf).
 */
export async function listMyWindows(db: Db, { actor, now = new Date() }: { actor: Actor | null; now?: Date }) {
  const user = requirePermission(actor, 'portal.use');
  const mine = await db
    .select({ id: machines.id, hostname: machines.hostname, timeZone: machines.timeZone, windows: machines.windows })
    .from(machines)
    .where(and(eq(machines.ownerId, user.id), isNull(machines.retiredAt)))
    .orderBy(asc(machines.hostname));
  const [byMachine, violations] = await Promise.all([groupDefaultsOf(db, mine.map((m) => m.id), now), guardrailViolationsOf(db, mine)]);
  const defaults = mine.map((m) => byMachine.get(m.id) ?? NO_GROUPS);
  return mine.map((m, i) => {
    const fromGroups = effectiveWindows(null, defaults[i].windows);
    const windows = effectiveWindows(m.windows, defaults[i].windows);
    const opening = nextOpening(windows, m.timeZone, now, { blackoutDates: defaults[i].blackoutDates });
    return {
      id: m.id,
      hostname: m.hostname,
      timeZone: m.timeZone,
      windows,
      source: m.windows ? ('own' as const) : fromGroups.length ? ('groups' as const) : ('any' as const),
      nextOpening: { start: opening.start.toISOString(), end: opening.end?.toISOString() ?? null },
      blackoutDates: defaults[i].blackoutDates,
      violations: violations.get(m.id)?.length ?? 0,
    };
  });
}
