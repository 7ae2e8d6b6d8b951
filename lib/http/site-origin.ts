/**
 * Where this site is, from one rule for both users (no 'server-only': server.ts imports it):
 * DEPOT_PUBLIC_URL (server.ts copies it to NEXTAUTH_URL) when set, else the request's own host,
 * X-Forwarded-Host first (server.ts keeps it only from DEPOT_TRUSTED_PROXIES), as Next and
 * next-auth do without one.
 */
export type HeaderGet = (name: string) => string | undefined;

/** DEPOT_PUBLIC_URL's origin, or null when none is configured. */
export function configuredOrigin(): string | null {
  const configured = process.env.NEXTAUTH_URL;
  return configured ? new URL(configured).origin : null;
}

/** The host the client asked for: X-Forwarded-Host (first hop) or Host. */
export function requestHost(get: HeaderGet): string {
  return get('x-forwarded-host')?.split(',')[0].trim() || get('host') || 'localhost';
}

/**
 * The origin for links shown or sent elsewhere (a calendar feed's URL). Without
 * DEPOT_PUBLIC_URL the scheme is a guess (X-Forwarded-Proto from a trusted proxy, else http),
 * which is why the cross-site check compares hosts only in that case (lib/http/same-origin.ts).
 */
export function siteOrigin(get: HeaderGet): string {
  const configured = configuredOrigin();
  if (configured) return configured;
  const proto = get('x-forwarded-proto')?.split(',')[0].trim() === 'https' ? 'https' : 'http';
  return `${proto}://${requestHost(get)}`;
}
