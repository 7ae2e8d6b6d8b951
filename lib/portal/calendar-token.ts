import { generateSecret, hashToken, looksLikeToken, PREFIX } from '@/lib/tokens/token-secret';

/**
 * The private calendar feed's secret: 32 random bytes behind a recognisable prefix, like machine
 * tokens. Only its SHA-256 is stored (users.calendar_token_hash); the URL is shown once. The
 * token is the feed's only credential (calendar apps send no cookie), so it lives in the path,
 * which is never written to the audit log.
 */
export function newCalendarToken(): { token: string; hash: string } {
  const { token, hash } = generateSecret(PREFIX.calendarFeed);
  return { token, hash };
}

/** The feed's path: `/calendar/<token>.ics`. */
export function calendarFeedPath(token: string): string {
  return `/calendar/${token}.ics`;
}

/**
 * The stored hash for a requested file name (`<token>.ics`), or null when it cannot be a feed
 * token: anything else is refused before the database is asked.
 */
export function feedTokenHash(fileName: string): string | null {
  if (!fileName.endsWith('.ics')) return null;
  const token = fileName.slice(0, -'.ics'.length);
  return looksLikeToken(token, PREFIX.calendarFeed) && /^[\w-]+$/.test(token) ? hashToken(token) : null;
}
