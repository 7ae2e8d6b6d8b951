/**
 * iCalendar (RFC 5545) text for the portal's calendar feed: escaped TEXT values, CRLF line ends,
 * lines folded at 75 octets without splitting a UTF-8 character, UTC times. Pure.
 */

export interface IcsEvent {
  /** Stable across feeds, so a calendar updates the event instead of adding another. */
  uid: string;
  start: Date;
  /** Length in minutes; none: a point in time (a deadline). */
  minutes?: number;
  summary: string;
  description?: string;
  url?: string;
}

export interface IcsCalendar {
  name: string;
  /** The feed's own time: every event's DTSTAMP. */
  now: Date;
  events: readonly IcsEvent[];
}

const CRLF = '\r\n';

/** TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and newlines as \n. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** 20270105T210000Z */
export function icsUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Folds one content line (RFC 5545 3.1): at most 75 octets per line, continuations start with a
 * space (which counts towards their 75). Cuts fall between characters, never inside one.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

export function icsCalendar({ name, now, events }: IcsCalendar): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Depot//Portal calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(name)}`,
    // Calendar apps poll a subscription; an hour keeps "Tue 22:00" current without hammering.
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${escapeText(e.uid)}`, `DTSTAMP:${icsUtc(now)}`, `DTSTART:${icsUtc(e.start)}`);
    if (e.minutes) lines.push(`DURATION:PT${Math.round(e.minutes)}M`);
    lines.push(`SUMMARY:${escapeText(e.summary)}`);
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    // A URI value, not TEXT: not escaped (RFC 5545 3.3.13).
    if (e.url) lines.push(`URL:${e.url}`);
    // Informational: it does not make the user look busy.
    lines.push('TRANSP:TRANSPARENT', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
