import { upcomingNotices, type Notice, type NoticeSubject } from '@/lib/schedule/notices';
import type { TimelineRow } from './timeline';

export type { Notice };

/**
 * The portal's banners from timeline rows (of one machine or all of a user's): each mandatory
 * install or uninstall, with its deadline when it has one, goes through the same rules as
 * `depot-agent status` (lib/schedule/notices.ts). An install already running needs no warning.
 */
export function portalNotifications(rows: readonly TimelineRow[], now: Date): Notice[] {
  const deadlines = new Map(rows.filter((r) => r.event === 'deadline').map((r) => [r.assignmentId, new Date(r.at)]));
  const subjects: NoticeSubject[] = [];
  for (const r of rows) {
    if ((r.event !== 'install' && r.event !== 'uninstall') || !r.mandatory || r.state === 'installing') continue;
    subjects.push({ key: r.key, kind: r.event, what: r.what, machine: r.hostname, timeZone: r.timeZone, at: new Date(r.at), deadline: deadlines.get(r.assignmentId) ?? null });
  }
  return upcomingNotices(subjects, now);
}
