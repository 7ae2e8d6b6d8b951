import type { AssignmentState, JobKind } from '@/db/schema';

/**
 * A job's assignments counted by state, in the job's own words: an uninstall's assignment that
 * completed is in state `installed` (the one state machine all kinds share, and what `?state=`
 * filters on), but what it did is remove the software, so its count is `removed`. Every other
 * state, and every other kind, keeps the state's name.
 */
export type JobCounts = Partial<Record<AssignmentState | 'removed', number>>;

/** The key and the word of a completed assignment, by kind. */
export function doneOf(kind: JobKind): { key: 'installed' | 'removed'; word: string } {
  if (kind === 'uninstall') return { key: 'removed', word: 'removed' };
  // An inventory job collects facts; the JSON keeps `installed` for it, the pages say "done".
  if (kind === 'inventory') return { key: 'installed', word: 'done' };
  return { key: 'installed', word: 'installed' };
}

export function jobCounts(kind: JobKind, rows: { state: AssignmentState; n: number }[]): JobCounts {
  const { key } = doneOf(kind);
  return Object.fromEntries(rows.map((r) => [r.state === 'installed' ? key : r.state, r.n])) as JobCounts;
}

/** How many assignments of the job completed, whatever the kind calls it. */
export const doneCount = (kind: JobKind, counts: JobCounts): number => counts[doneOf(kind).key] ?? 0;
