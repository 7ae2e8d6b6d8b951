import type { TimelineRow } from '@/lib/portal/timeline';
import { LocalTime } from '../../_components/local-time';

const EVENT: Record<TimelineRow['event'], { label: (r: TimelineRow) => string; dot: string }> = {
  install: { label: (r) => `${r.state === 'installing' ? 'Installing' : 'Install'} ${r.what}`, dot: 'bg-brand-500' },
  uninstall: { label: (r) => `Remove ${r.what}`, dot: 'bg-brand-500' },
  deadline: { label: (r) => `Deadline: ${r.what} ${r.jobKind === 'uninstall' ? 'is removed' : 'is installed'} by then, even outside the windows`, dot: 'bg-amber-500' },
  offer_expires: { label: (r) => `Offer ends: ${r.what} (choose it in the catalog before then if you want it)`, dot: 'bg-slate-400' },
};

/** What will happen on the machine and when, soonest first: starts, deadlines, offers that end. */
export function TimelineList({ rows, now }: { rows: TimelineRow[]; now: Date }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">Nothing is scheduled. New installs appear here with their time as soon as they are assigned.</p>;
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-5" aria-label="Timeline">
      {rows.map((r) => (
        <li key={r.key} className="relative" data-testid={`timeline-${r.event}`}>
          <span aria-hidden className={`absolute -left-[25px] top-1.5 h-2.5 w-2.5 rounded-full ring-4 ring-white ${EVENT[r.event].dot}`} />
          <div className="text-sm text-slate-900">{EVENT[r.event].label(r)}</div>
          <div className="text-xs text-slate-600">
            <LocalTime at={r.at} timeZone={r.timeZone} now={now} />
          </div>
        </li>
      ))}
    </ol>
  );
}
