// Formatters are costly to build (Intl.DateTimeFormat, ~0.3 ms each): one per zone and style.
const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDate}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', withDate ? { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    cache.set(key, f);
  }
  return f;
}

/** "Tue 5 Jan, 22:00" on the machine's own clock. */
export function formatInZone(at: Date | string, timeZone: string): string {
  return formatter(timeZone, true).format(typeof at === 'string' ? new Date(at) : at);
}

/** "Wed 02:00": for the end of an opening that started the line. */
export function formatShortInZone(at: Date | string, timeZone: string): string {
  return formatter(timeZone, false).format(typeof at === 'string' ? new Date(at) : at);
}

/** "in 3 h", "in 2 days", "in 25 min": how far ahead an instant is. */
export function fromNow(at: Date | string, now: Date): string {
  const minutes = Math.round(((typeof at === 'string' ? Date.parse(at) : at.getTime()) - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < 48 * 60) return `in ${Math.round(minutes / 60)} h`;
  return `in ${Math.round(minutes / 1440)} days`;
}

/** An opening in words on the machine's clock: "any time", "open now, until …", or when it opens and closes. */
export function describeOpeningInZone(o: { start: string; end: string | null }, timeZone: string, now: Date): string {
  const started = Date.parse(o.start) <= now.getTime();
  if (o.end === null) return started ? 'Any time' : `Any time from ${formatInZone(o.start, timeZone)} (${fromNow(o.start, now)})`;
  if (started) return `Open now, until ${formatShortInZone(o.end, timeZone)}`;
  return `${formatInZone(o.start, timeZone)} – ${formatShortInZone(o.end, timeZone)} (${fromNow(o.start, now)})`;
}
