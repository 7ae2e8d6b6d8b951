import { formatLocal, relativeTime } from '@/lib/schedule/relative-time';

/** "Tue 22:00 · in 3 h" on the machine's clock, with the exact instant for screen readers and tooltips. */
export function LocalTime({ at, timeZone, now }: { at: string; timeZone: string; now: Date }) {
  const d = new Date(at);
  if (d.getTime() <= now.getTime()) return <span>now</span>;
  return (
    <time dateTime={at} title={`${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`}>
      {formatLocal(d, timeZone, now)} <span className="text-slate-500">· {relativeTime(d, now)}</span>
    </time>
  );
}
