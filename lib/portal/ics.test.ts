import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, icsCalendar, icsUtc } from './ics';

/** Unfolds per RFC 5545: a CRLF followed by one space or tab is removed. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

describe('ICS text', () => {
  it('escapes backslash, semicolon, comma and newlines', () => {
    expect(escapeText('a\\b; c, d\ne\r\nf')).toBe('a\\\\b\\; c\\, d\\ne\\nf');
  });

  it('writes UTC times without separators', () => {
    expect(icsUtc(new Date('2027-01-05T21:00:00.000Z'))).toBe('20270105T210000Z');
  });

  it('folds at 75 octets with a leading space, never inside a UTF-8 character', () => {
    const line = `SUMMARY:${'x'.repeat(100)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.map((p) => Buffer.byteLength(p))).toEqual([75, 34]);
    expect(parts[1].startsWith(' ')).toBe(true);
    expect(unfold(folded)).toBe(line);

    const wide = `SUMMARY:${'é'.repeat(60)}€€€`;
    const wideParts = foldLine(wide).split('\r\n');
    for (const p of wideParts) {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(75);
      expect(p).not.toContain('\uFFFD');
    }
    expect(unfold(foldLine(wide))).toBe(wide);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });
});

describe('icsCalendar', () => {
  const now = new Date('2027-01-05T11:00:00Z');
  const text = icsCalendar({
    name: 'Depot: my machines',
    now,
    events: [
      { uid: 'a1:install@depot', start: new Date('2027-01-05T21:00:00Z'), minutes: 30, summary: 'Install Firefox ESR, 115 on pc-12', description: 'Line one\nLine two; more', url: 'https://depot.example.com/portal/machines/m1' },
      { uid: 'a1:deadline@depot', start: new Date('2027-01-07T12:00:00Z'), summary: 'Deadline: Firefox ESR 115 on pc-12' },
    ],
  });

  it('is a CRLF calendar with one VEVENT per event, each with UID, DTSTAMP and DTSTART', () => {
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(text).split('\r\n');
    expect(lines.slice(0, 2)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0']);
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
    expect(lines.filter((l) => l === `DTSTAMP:${icsUtc(now)}`)).toHaveLength(2);
    expect(lines).toContain('UID:a1:install@depot');
    expect(lines).toContain('DTSTART:20270105T210000Z');
    expect(lines).toContain('DURATION:PT30M');
    expect(lines).toContain('SUMMARY:Install Firefox ESR\\, 115 on pc-12');
    expect(lines).toContain('DESCRIPTION:Line one\\nLine two\\; more');
    expect(lines).toContain('URL:https://depot.example.com/portal/machines/m1');
    expect(lines).toContain('X-WR-CALNAME:Depot: my machines');
    // A point in time has no length.
    const deadline = lines.slice(lines.indexOf('UID:a1:deadline@depot'));
    expect(deadline.slice(0, deadline.indexOf('END:VEVENT'))).not.toContainEqual(expect.stringMatching(/^DURATION/));
  });

  it('keeps every physical line within 75 octets', () => {
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });
});
