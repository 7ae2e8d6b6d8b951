/**
 * Times in words for people: "in 3 h", "5 min ago", and a local time such as "Tue 22:00" in a
 * machine's own zone. Pure (the clock is passed in), so the portal and `depot-agent status` say
 * the same thing about the same instant.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "now", "in 5 min", "in 3 h", "in 2 days", "5 min ago" … Rounded to the nearest unit. */
export function relativeTime(at: Date, now: Date): string {
  const diff = at.getTime() - now.getTime();
  const abs = Math.abs(diff);
  let amount: string;
  if (abs < MINUTE) return 'now';
  if (abs < 90 * MINUTE) amount = `${Math.round(abs / MINUTE)} min`;
  // Up to a day and a half in hours: "in 30 h" says more than "in 1 day".
  else if (abs < 36 * HOUR) amount = `${Math.round(abs / HOUR)} h`;
  else {
    const days = Math.round(abs / DAY);
    amount = `${days} day${days === 1 ? '' : 's'}`;
  }
  return diff > 0 ? `in ${amount}` : `${amount} ago`;
}

// Building an Intl.DateTimeFormat costs far more than using one (see formatDateTime in
// app/_components/ui.tsx): keep one per zone and shape.
const formats = new Map<string, Intl.DateTimeFormat>();
function formatOf(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDate}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(withDate ? { day: 'numeric', month: 'short' } : {}) });
    formats.set(key, format);
  }
  return format;
}

/**
 * The instant on the clock of `timeZone`: "Tue 22:00" within the coming six days (a weekday
 * names one day only that far), else with the date, "Tue 14 Jan 22:00".
 */
export function formatLocal(at: Date, timeZone: string, now: Date): string {
  const near = Math.abs(at.getTime() - now.getTime()) < 6 * DAY;
  const parts = formatOf(timeZone, !near).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}`;
  return near ? `${part('weekday')} ${time}` : `${part('weekday')} ${part('day')} ${part('month')} ${time}`;
}

/** "Tue 22:00 (in 3 h)": when, and how far away. */
export function whenText(at: Date, timeZone: string, now: Date): string {
  return `${formatLocal(at, timeZone, now)} (${relativeTime(at, now)})`;
}
