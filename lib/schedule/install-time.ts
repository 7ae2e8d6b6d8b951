import type { InstallationWindow } from '@/lib/contract/installation-window';
import { nextOpening } from './next-opening';

/** The timing of one assignment, as the plan carries it. */
export interface AssignmentTiming {
  kind: 'install' | 'uninstall' | 'inventory';
  timing: 'asap' | 'at' | 'windows';
  startAt: string | null;
  notBefore: string | null;
  deadline: string | null;
  loadSpreading: boolean;
}

/**
 * When an assignment may run: at or before `now` means now. Pure (the clock and the spread are
 * passed in); the agent sets its timer with it and the portal says "next install: …" with it.
 *
 * - asap runs at once and `at` at its time; neither waits for a window.
 * - windows: the next opening of the machine's windows (any time when it has none); with load
 *   spreading, at `spread` (0..1, stable per assignment) of the way through that opening, so a
 *   fleet does not start together at 22:00.
 * - notBefore holds everything back; a mandatory job's deadline overrides the windows: it runs at
 *   the first chance after the deadline.
 */
export function installTime(a: AssignmentTiming, windows: InstallationWindow[], timeZone: string, now: Date, spread: number): Date {
  let base = now.getTime();
  if (a.notBefore) base = Math.max(base, Date.parse(a.notBefore));
  if (a.timing === 'at' && a.startAt) base = Math.max(base, Date.parse(a.startAt));
  if (a.timing !== 'windows' || a.kind === 'inventory') return new Date(base);

  const opening = nextOpening(windows, timeZone, new Date(base));
  let at: number;
  if (opening.end === null) {
    at = base;
  } else if (a.loadSpreading) {
    const start = opening.start.getTime();
    const minutes = Math.max(0, Math.floor((opening.end.getTime() - start) / 60_000) - 1);
    at = Math.max(base, start + Math.floor(spread * minutes) * 60_000);
  } else {
    at = Math.max(base, opening.start.getTime());
  }
  if (a.deadline) at = Math.max(base, Math.min(at, Date.parse(a.deadline)));
  return new Date(at);
}

/** A stable number in [0, 1) from a key (FNV-1a): the same assignment spreads to the same minute after a restart. */
export function spreadOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}
