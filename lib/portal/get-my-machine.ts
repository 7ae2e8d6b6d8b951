import type { Db } from '@/db/client';
import type { Actor } from '@/lib/auth/permissions';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { groupDefaults } from '@/lib/machines/get-plan';
import { localDate } from '@/lib/schedule/blackout';
import { nextOpening, zoneOf } from '@/lib/schedule/next-opening';
import { installedByYou, type InstalledByYou } from './installed-by-you';
import { historyOf, type HistoryEntry } from './list-my-history';
import { loadTimelines, OFFER_END_DAYS } from './load-timelines';
import { summarize, type MyMachineSummary } from './machine-view';
import { portalNotifications, type Notice } from './notifications';
import { loadOwnedMachine } from './owned-machine';
import { recentFailures } from './recent-failures';
import type { PendingRow, TimelineRow } from './timeline';

/** The machine page shows this many of the latest attempts; the history page has them all. */
export const RECENT_HISTORY = 10;

export interface MyMachineDetail extends MyMachineSummary {
  enrolledAt: string;
  windows: {
    /** The effective windows (the agent's): the user's own, else the groups' defaults; empty: any time. */
    effective: InstallationWindow[];
    /** own: the machine's own; groups: its groups' defaults; none: any time. */
    source: 'own' | 'groups' | 'none';
    groups: string[];
    /** Blackout dates from today on, in the machine's zone. */
    blackoutDates: string[];
    /** ISO: the window open now or the next one; end null: no windows, so any time. */
    nextOpening: { start: string; end: string | null };
  };
  pendingWork: PendingRow[];
  timeline: TimelineRow[];
  notifications: Notice[];
  recentHistory: HistoryEntry[];
  /** Self-service packages the user installed here through offers, with what Uninstall needs. */
  installedByYou: InstalledByYou[];
}

/**
 * One of the user's machines for its portal page and GET /api/portal/machines/<id>: state,
 * windows, the pending work with the instant each starts, a timeline of what will happen (starts,
 * deadlines, offers ending within 30 days), banners, the latest attempts and the self-service
 * packages the user installed there (with Uninstall, whether or not their offer still stands). Another user's machine is a 404
 * (loadOwnedMachine).
 */
export async function getMyMachine(db: Db, { actor, id, now = new Date() }: { actor: Actor | null; id: string; now?: Date }): Promise<MyMachineDetail> {
  const { user, machine } = await loadOwnedMachine(db, actor, id);
  const [timelines, failures, defaults, history, installed] = await Promise.all([
    loadTimelines(db, [machine], now, { offersEndingBy: new Date(now.getTime() + OFFER_END_DAYS * 86_400_000) }),
    recentFailures(db, [machine.id], now),
    groupDefaults(db, machine.id, now),
    historyOf(db, { ownerId: user.id, machineId: machine.id, limit: RECENT_HISTORY, offset: 0 }),
    installedByYou(db, machine.id),
  ]);
  const t = timelines.get(machine.id)!;
  const { plan } = t;
  const opening = nextOpening(plan.windows, plan.timeZone, now, { blackoutDates: plan.blackoutDates });
  const today = localDate(now.getTime(), zoneOf(plan.timeZone));
  return {
    ...summarize(machine, t, failures.get(machine.id) ?? 0, now),
    enrolledAt: machine.enrolledAt.toISOString(),
    windows: {
      effective: plan.windows,
      source: machine.windows !== null ? 'own' : plan.windows.length ? 'groups' : 'none',
      groups: defaults.groups.map((g) => g.name),
      blackoutDates: plan.blackoutDates.filter((d) => d >= today),
      nextOpening: { start: opening.start.toISOString(), end: opening.end?.toISOString() ?? null },
    },
    pendingWork: t.pending,
    timeline: t.timeline,
    notifications: portalNotifications(t.timeline, now),
    recentHistory: history.entries,
    installedByYou: installed,
  };
}
