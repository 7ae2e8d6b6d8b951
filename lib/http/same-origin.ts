import { AppError } from '@/lib/errors';
import { configuredOrigin, type HeaderGet, requestHost } from './site-origin';

/**
 * Cross-site request refusal for requests authenticated by the session cookie (SameSite=Lax
 * stops most, not a same-site sibling or an old browser): a state-changing request must come
 * from this site's own pages. Browsers send Origin with every POST/PUT/PATCH/DELETE; where one
 * does not, Sec-Fetch-Site says whether the request came from the same origin. API tokens
 * (Authorization: Bearer) are not ambient credentials and are not checked.
 *
 * The site's own origin is DEPOT_PUBLIC_URL when set (server.ts copies it to NEXTAUTH_URL): then
 * the whole Origin must equal it. Without it only the host is compared, with X-Forwarded-Host
 * (kept only from DEPOT_TRUSTED_PROXIES) or Host, as Next does for server actions: behind a
 * TLS-terminating proxy that sends no X-Forwarded-Proto the page is https while this server
 * sees http, and comparing schemes would refuse every change (lib/http/site-origin.ts).
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type { HeaderGet };

/** Whether an Origin header names this site (see above). */
export function isOwnOrigin(origin: string, get: HeaderGet): boolean {
  const configured = configuredOrigin();
  if (configured) return origin === configured;
  try {
    return new URL(origin).host === requestHost(get).toLowerCase();
  } catch {
    return false; // "null" or garbage
  }
}

/** The refusal for a cookie-authenticated state-changing request from elsewhere, or null. */
export function crossSiteRefusal(method: string, get: HeaderGet): AppError | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  if (get('authorization')) return null;
  const origin = get('origin');
  if (origin === undefined) {
    if (get('sec-fetch-site') === 'same-origin') return null;
    return new AppError('forbidden', { message: 'Cross-site request refused: a request signed in by a session cookie must come from this site (no Origin or Sec-Fetch-Site: same-origin header).' });
  }
  if (isOwnOrigin(origin, get)) return null;
  return new AppError('forbidden', { message: `Cross-site request refused: Origin ${origin.slice(0, 200)} is not this site (${configuredOrigin() ?? requestHost(get)}).` });
}

/** Header access for a web Headers object (route handlers). */
export function fromHeaders(headers: Headers): HeaderGet {
  return (name) => headers.get(name) ?? undefined;
}

/** Header access for a Node request's headers. */
export function fromNodeHeaders(headers: Record<string, string | string[] | undefined>): HeaderGet {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

/** Throws the refusal for a route handler's request (lib/http/json-route.ts). */
export function assertSameSite(request: Request): void {
  const refusal = crossSiteRefusal(request.method, fromHeaders(request.headers));
  if (refusal) throw refusal;
}
