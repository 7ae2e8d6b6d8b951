/**
 * Where to go after signing in: a path on this site, or "/" for anything else. Absolute URLs are
 * accepted only when they point at this site's own origin; `//evil.example`, `/\evil.example`,
 * `javascript:` and friends all become "/".
 */
export function safeCallbackPath(raw: unknown, baseUrl = 'http://depot.invalid'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return '/';
  let url: URL;
  try {
    // Browsers treat "\" like "/" in the authority, so normalise before judging.
    url = new URL(raw.replace(/\\/g, '/'), baseUrl);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(baseUrl).origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || path.startsWith('//')) return '/';
  // Never loop back into the sign-in page itself.
  if (url.pathname === '/signin' || url.pathname.startsWith('/api/auth')) return '/';
  return path;
}
