import type { InstallationWindow } from '@/lib/contract/installation-window';
import { nextOpenings } from '@/lib/schedule/next-opening';

/** How many openings the portal previews. */
export const PREVIEW_OPENINGS = 5;

export interface PreviewOpening {
  start: string;
  /** null: no windows, so any time from `start`. */
  end: string | null;
}

/**
 * The next openings a machine's agent will use, from the same effective windows, zone and blackout
 * dates its plan carries, with the function the agent times its installs with.
 */
export function previewOpenings(windows: InstallationWindow[], timeZone: string, now: Date, blackoutDates: readonly string[]): PreviewOpening[] {
  return nextOpenings(windows, timeZone, now, PREVIEW_OPENINGS, { blackoutDates }).map((o) => ({ start: o.start.toISOString(), end: o.end?.toISOString() ?? null }));
}
