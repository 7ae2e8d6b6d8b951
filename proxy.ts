import { NextResponse, type NextRequest } from 'next/server';

/**
 * Convenience only, not a security boundary: sends visitors without a session cookie to the
 * sign-in page, and passes the requested path on (x-depot-path) so a page that finds the session
 * ended can send the visitor back after signing in. Every page, action and route checks the
 * session and role itself.
 */
// The calendar feed authenticates by the token in its path: calendar apps have no session to send.
const PUBLIC = [/^\/signin(\/|$)/, /^\/api\//, /^\/_next\//, /^\/favicon\.ico$/, /^\/calendar\/[^/]+\.ics$/];
const SESSION_COOKIES = ['next-auth.session-token', '__Secure-next-auth.session-token'];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const headers = new Headers(request.headers);
  headers.set('x-depot-path', `${pathname}${search}`);
  if (PUBLIC.some((p) => p.test(pathname))) return NextResponse.next({ request: { headers } });
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name) || request.cookies.has(`${name}.0`));
  if (!hasSession && request.method === 'GET') {
    const url = request.nextUrl.clone();
    url.pathname = '/signin';
    url.search = pathname === '/' ? '' : `?callbackUrl=${encodeURIComponent(`${pathname}${search}`)}`;
    return NextResponse.redirect(url);
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
