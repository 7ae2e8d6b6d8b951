import { AppError } from '@/lib/errors';

/**
 * Cross-site request refusal for requests authenticated by the session cookie (SameSite=Lax
 * stops most, not a same-site sibling or an old browser): a state-changing request must come
 * from this site's own pages. Browsers send Origin with every POST/PUT/PATCH/DELETE; where one
 * does not, Sec-Fetch-Site says whether the request came from the same origin. API tokens
 * (Authorization: Bearer) are not ambient credentials and are not checked.
 *
 * The site's own origin is DEPOT_PUBLIC_URL (server.ts copies it to NEXTAUTH_URL), else the
 * request's Host (with X-Forwarded-Host/-Proto, which server.ts keeps only from a trusted proxy).
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type HeaderGet = (name: string) => string | undefined;

export function ownOrigin(get: HeaderGet): string {
  const configured = process.env.NEXTAUTH_URL;
  if (configured) return new URL(configured).origin;
  const host = get('x-forwarded-host')?.split(',')[0].trim() || get('host') || 'localhost';
  const proto = get('x-forwarded-proto')?.split(',')[0].trim() === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
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
  if (origin === ownOrigin(get)) return null;
  return new AppError('forbidden', { message: `Cross-site request refused: Origin ${origin.slice(0, 200)} is not this site (${ownOrigin(get)}).` });
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
