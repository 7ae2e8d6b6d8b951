import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines, users } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { formatLocal } from '@/lib/schedule/relative-time';
import { feedTokenHash } from './calendar-token';
import { icsCalendar, type IcsEvent } from './ics';
import { loadTimelines } from './load-timelines';
import { byTime, type TimelineRow } from './timeline';

/** How far ahead the feed looks. */
export const FEED_DAYS = 30;
// A calendar entry for an install: long enough to be seen in a day view.
const INSTALL_MINUTES = 30;

/**
 * The private calendar feed (GET /calendar/<token>.ics): the timeline of every machine the
 * token's user owns for the next 30 days, as iCalendar. The token is the only credential; an
 * unknown or revoked token, or a disabled user, is a bare 404 that tells nothing about why.
 */
export async function getCalendarFeed(db: Db, { fileName, origin, now = new Date() }: { fileName: string; origin: string; now?: Date }): Promise<string> {
  const hash = feedTokenHash(fileName);
  const [user] = hash
    ? await db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.calendarTokenHash, hash), eq(users.disabled, false)))
    : [];
  if (!user) throw new AppError('not_found');
  const owned = await db
    .select({ id: machines.id, hostname: machines.hostname, planVersion: machines.planVersion, timeZone: machines.timeZone, windows: machines.windows, ownerId: machines.ownerId })
    .from(machines)
    .where(and(eq(machines.ownerId, user.id), isNull(machines.retiredAt)))
    .orderBy(asc(machines.hostname));
  const until = now.getTime() + FEED_DAYS * 86_400_000;
  const timelines = await loadTimelines(db, owned, now, { offersEndingBy: new Date(until) });
  const rows = [...timelines.values()]
    .flatMap((t) => t.timeline)
    .filter((r) => Date.parse(r.at) >= now.getTime() && Date.parse(r.at) <= until)
    .sort(byTime);
  return icsCalendar({ name: 'Depot: my machines', now, events: rows.map((r) => eventOf(r, origin, now)) });
}

function eventOf(r: TimelineRow, origin: string, now: Date): IcsEvent {
  const local = `${formatLocal(new Date(r.at), r.timeZone, now)} (${r.timeZone})`;
  const base = { uid: `${r.key}@depot`, start: new Date(r.at), url: `${origin}/portal/machines/${r.machineId}` };
  switch (r.event) {
    case 'install':
    case 'uninstall': {
      const verb = r.event === 'install' ? 'Install' : 'Remove';
      const whose = r.mandatory ? 'Required by your organisation.' : 'You chose it in the portal.';
      return { ...base, minutes: INSTALL_MINUTES, summary: `${verb} ${r.what} ${r.event === 'install' ? 'on' : 'from'} ${r.hostname}`, description: `Depot starts this on ${r.hostname} at ${local}. ${whose}` };
    }
    case 'deadline':
      return { ...base, summary: `Deadline: ${r.what} on ${r.hostname}`, description: `From ${local} on, ${r.what} is ${r.jobKind === 'uninstall' ? 'removed from' : 'installed on'} ${r.hostname} at the first chance, even outside its installation windows.` };
    case 'offer_expires':
      return { ...base, summary: `Offer ends: ${r.what} for ${r.hostname}`, description: `Choose it in the portal's catalog before ${local} if you want it on ${r.hostname}.` };
  }
}
