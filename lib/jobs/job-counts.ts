import type { AssignmentState, JobKind } from '@/db/schema';

/**
 * A job's assignments counted by state, in the job's own words: an uninstall's assignment that
 * completed is in state `installed` (the one state machine all kinds share, and what `?state=`
 * filters on), but what it did is remove the software, so its count is `removed`. Every other
 * state, and every other kind, keeps the state's name.
 */
export type JobCounts = Partial<Record<AssignmentState | 'removed', number>>;

/**
 * The key, the word and the label (a badge's, a chart series') of a completed assignment, by
 * kind: the one place that says an uninstall "removed" and an inventory "done".
 */
export function doneOf(kind: JobKind): { key: 'installed' | 'removed'; word: string; label: string } {
  if (kind === 'uninstall') return { key: 'removed', word: 'removed', label: 'Removed' };
  // An inventory job collects facts; the JSON keeps `installed` for it, the pages say "done".
  if (kind === 'inventory') return { key: 'installed', word: 'done', label: 'Done' };
  return { key: 'installed', word: 'installed', label: 'Installed' };
}

export function jobCounts(kind: JobKind, rows: { state: AssignmentState; n: number }[]): JobCounts {
  const { key } = doneOf(kind);
  return Object.fromEntries(rows.map((r) => [r.state === 'installed' ? key : r.state, r.n])) as JobCounts;
}

/** How many assignments of the job completed, whatever the kind calls it. */
export const doneCount = (kind: JobKind, counts: JobCounts): number => counts[doneOf(kind).key] ?? 0;
