// One formatter per zone for the process: a new Intl.DateTimeFormat per call costs ~0.3 ms.
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * "Tue 12 Jan 2027, 22:00 (Europe/Berlin)": for messages a user reads, in their machine's zone
 * when known (the windows are in it), else UTC.
 */
export function formatTime(at: Date, timeZone = 'UTC'): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
    formatters.set(timeZone, f);
  }
  return `${f.format(at)} (${timeZone})`;
}
