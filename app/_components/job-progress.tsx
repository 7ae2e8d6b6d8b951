import type { JobKind } from '@/db/schema';
import { doneOf, type JobCounts } from '@/lib/jobs/job-counts';

// Order and colour of the segments: done, trouble, waiting.
const SEGMENTS: { states: (keyof JobCounts)[]; label: string; className: string }[] = [
  // Installed, removed (an uninstall job) or done (inventory): one of them per job.
  { states: ['installed', 'removed'], label: 'done', className: 'bg-emerald-500' },
  { states: ['failed'], label: 'failed', className: 'bg-rose-500' },
  { states: ['skipped', 'expired'], label: 'skipped or expired', className: 'bg-amber-400' },
  { states: ['cancelled'], label: 'cancelled', className: 'bg-slate-400' },
  { states: ['downloading', 'ready', 'installing'], label: 'in progress', className: 'bg-brand-400' },
  // An offer its user rejected: neither finished (they may restore it) nor a failure.
  { states: ['declined'], label: 'declined', className: 'bg-slate-300' },
];

/** A stacked progress bar of a job's assignments by state, with an accessible summary in the job kind's words ("1 of 1 removed"). */
export function JobProgress({ kind, counts, total }: { kind: JobKind; counts: JobCounts; total: number }) {
  const done = doneOf(kind);
  const finished = (counts[done.key] ?? 0) + (counts.failed ?? 0) + (counts.skipped ?? 0) + (counts.cancelled ?? 0) + (counts.expired ?? 0);
  const summary = `${counts[done.key] ?? 0} of ${total} ${done.word}${counts.failed ? `, ${counts.failed} failed` : ''}${counts.declined ? `, ${counts.declined} declined` : ''}`;
  return (
    <div className="min-w-40">
      <div
        className="flex h-2 overflow-hidden rounded bg-slate-100"
        role="progressbar"
        aria-label={summary}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={finished}
      >
        {total > 0
          ? SEGMENTS.map((s) => {
              const n = s.states.reduce((sum, st) => sum + (counts[st] ?? 0), 0);
              return n ? <div key={s.label} className={s.className} style={{ width: `${(n / total) * 100}%` }} title={`${n} ${s.label === 'done' ? done.word : s.label}`} /> : null;
            })
          : null}
      </div>
      <div className="mt-1 text-xs text-slate-600">{summary}</div>
    </div>
  );
}
