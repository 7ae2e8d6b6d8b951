/**
 * What to tell a machine's user ahead of an admin's (mandatory) install: the portal's banners and
 * `depot-agent status` both build their notices here from the same computed times, so they never
 * disagree on what is announced or how. Pure: the clock is passed in.
 */
import { formatLocal, relativeTime } from './relative-time';

/** Announce a mandatory install that starts within this long. */
export const SOON_MS = 24 * 3600_000;
/** Warn of a mandatory install's deadline this far ahead. */
export const DEADLINE_WARNING_MS = 48 * 3600_000;

/** One mandatory install or uninstall, with the time it will start (installTime's answer). */
export interface NoticeSubject {
  /** Stable per assignment, so a list of notices can be keyed. */
  key: string;
  kind: 'install' | 'uninstall';
  /** "Firefox ESR 115.6": what is installed. */
  what: string;
  /** The machine: "pc-12", "this machine". */
  machine: string;
  timeZone: string;
  at: Date;
  deadline: Date | null;
}

export interface Notice {
  key: string;
  type: 'soon' | 'deadline';
  /** The instant the notice is about: the start, or the deadline. */
  at: Date;
  text: string;
}

/**
 * One notice per subject, soonest first: "Firefox ESR will be installed on pc-12 Tue 22:00 (in
 * 3 h)" when it starts within 24 h; otherwise, when its deadline is within 48 h (and not past),
 * "Deadline in 2 days: Firefox ESR will be installed on pc-12 by Thu 14:00 at the latest". The
 * start notice wins because it is the more precise: a deadline only bounds the start.
 */
export function upcomingNotices(subjects: readonly NoticeSubject[], now: Date): Notice[] {
  const notices: Notice[] = [];
  const t = now.getTime();
  for (const s of subjects) {
    const verb = s.kind === 'uninstall' ? 'removed from' : 'installed on';
    if (s.at.getTime() - t <= SOON_MS) {
      const when = s.at.getTime() <= t ? 'now' : `${formatLocal(s.at, s.timeZone, now)} (${relativeTime(s.at, now)})`;
      notices.push({ key: s.key, type: 'soon', at: s.at, text: `${s.what} will be ${verb} ${s.machine} ${when}` });
    } else if (s.deadline && s.deadline.getTime() > t && s.deadline.getTime() - t <= DEADLINE_WARNING_MS) {
      const by = formatLocal(s.deadline, s.timeZone, now);
      notices.push({ key: s.key, type: 'deadline', at: s.deadline, text: `Deadline ${relativeTime(s.deadline, now)}: ${s.what} will be ${verb} ${s.machine} by ${by} at the latest` });
    }
  }
  return notices.sort((a, b) => a.at.getTime() - b.at.getTime() || a.key.localeCompare(b.key));
}
