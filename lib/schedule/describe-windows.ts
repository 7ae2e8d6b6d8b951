import type { InstallationWindow } from '@/lib/contract/installation-window';
import { formatHours } from './guardrails';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
// People read a week from Monday.
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

/** "Every day", "Mon–Fri", "Sat–Sun", "Mon, Wed": runs of three or more days joined with a dash. */
function describeDays(days: number[]): string {
  if (days.length === 7) return 'Every day';
  const ordered = WEEK_ORDER.filter((d) => days.includes(d));
  const runs: number[][] = [];
  for (const d of ordered) {
    const run = runs[runs.length - 1];
    if (run && WEEK_ORDER.indexOf(d) === WEEK_ORDER.indexOf(run[run.length - 1]) + 1) run.push(d);
    else runs.push([d]);
  }
  return runs.map((r) => (r.length >= 3 ? `${DAYS[r[0]]}–${DAYS[r[r.length - 1]]}` : r.length === 2 && r[0] === 6 ? `${DAYS[6]}–${DAYS[0]}` : r.map((d) => DAYS[d]).join(', '))).join(', ');
}

/**
 * A machine's windows in a line a person reads at a glance: windows with the same start and
 * length share one entry ("Mon–Fri 21:00 for 3 h · Sat–Sun 10:00 for 8 h"); "Any time" for none.
 */
export function describeWindows(windows: readonly InstallationWindow[]): string {
  if (windows.length === 0) return 'Any time';
  const groups = new Map<string, { start: string; minutes: number; days: number[] }>();
  for (const w of [...windows].sort((a, b) => a.start.localeCompare(b.start) || a.minutes - b.minutes)) {
    const key = `${w.start}|${w.minutes}`;
    const g = groups.get(key) ?? { start: w.start, minutes: w.minutes, days: [] };
    g.days.push(w.day);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `${describeDays(g.days)} ${g.start} for ${formatHours(g.minutes)}`).join(' · ');
}
