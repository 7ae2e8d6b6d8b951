/**
 * next-auth answers every refused sign-in with 200 (or a redirect) and the error in the URL it
 * returns; a locked-out attempt (`error=locked:<ISO time>`, from lib/auth/next-auth-options.ts)
 * is turned into 429 with Retry-After here, with the same JSON body, so next-auth's client and
 * the sign-in page read it as before and scripts see a standard "too many requests".
 * A plain form post (no `json=true`) keeps next-auth's redirect to the sign-in page.
 */
type RouteHandler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

export function withLockoutStatus(handler: RouteHandler): RouteHandler {
  return async (request, context) => {
    const response = await handler(request, context);
    if (request.method !== 'POST' || !response.headers.get('content-type')?.includes('application/json')) return response;
    const text = await response.clone().text();
    const until = lockedUntilOf(text);
    if (!until) return response;
    const headers = new Headers(response.headers);
    headers.set('retry-after', String(Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000))));
    return new Response(text, { status: 429, headers });
  };
}

function lockedUntilOf(text: string): Date | null {
  try {
    const { url } = JSON.parse(text) as { url?: unknown };
    if (typeof url !== 'string') return null;
    const error = new URL(url, 'http://x').searchParams.get('error');
    if (!error?.startsWith('locked:')) return null;
    const until = new Date(error.slice('locked:'.length));
    return Number.isNaN(until.getTime()) ? null : until;
  } catch {
    return null;
  }
}
