import { IANAZone } from 'luxon';

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

/**
 * The instant a wall-clock time means in a zone, by DESIGN.md's rule: a time that does not
 * exist that day (spring forward) moves forward to the first existing minute; a repeated time
 * (fall back) means its first occurrence. The zone's offsets come from the time-zone database
 * (luxon, over the platform's ICU data); only the choice between them is made here.
 */
export function resolveLocal(local: LocalDateTime, zone: IANAZone): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // Any offset valid at this wall time is one in force within a day of it.
  const candidates = [...new Set([zone.offset(asUtc - 86_400_000), zone.offset(asUtc), zone.offset(asUtc + 86_400_000)])];
  const valid = candidates.map((offset) => asUtc - offset * 60_000).filter((instant) => zone.offset(instant) * 60_000 === asUtc - instant);
  if (valid.length > 0) return Math.min(...valid); // the first occurrence
  // In a gap: the first instant whose offset is the later one is the first existing minute.
  const offsets = candidates.sort((a, b) => a - b);
  let lo = asUtc - offsets[offsets.length - 1] * 60_000;
  let hi = asUtc - offsets[0] * 60_000;
  const after = zone.offset(hi);
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (zone.offset(mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The wall-clock time an instant shows in a zone. */
export function toLocal(instant: number, zone: IANAZone): LocalDateTime & { weekday: number } {
  const shifted = new Date(instant + zone.offset(instant) * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

/** Calendar arithmetic on a wall-clock time (no zone involved): add days and minutes. */
export function addWallClock(local: LocalDateTime, minutes: number): LocalDateTime {
  const t = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute) + minutes * 60_000);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(), hour: t.getUTCHours(), minute: t.getUTCMinutes() };
}
