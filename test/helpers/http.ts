/** HTTP helpers for integration tests: sign in like a browser, call the JSON API and server actions. */

export interface Session {
  cookie: string;
}

function cookiesFrom(response: Response): string[] {
  return response.headers.getSetCookie().map((c) => c.split(';', 1)[0]);
}

/** next-auth's credentials flow, as the sign-in page does it: CSRF token, then the callback. */
export async function signIn(baseUrl: string, email: string, password: string, extraHeaders: Record<string, string> = {}): Promise<Session | null> {
  const response = await postCredentials(baseUrl, email, password, extraHeaders);
  const jar = response.jar;
  const session = cookiesFrom(response).find((c) => c.startsWith('next-auth.session-token='));
  return session ? { cookie: [...jar, session].join('; ') } : null;
}

/** The error code next-auth reports for a failed sign-in (CredentialsSignin, locked:…, unavailable). */
export async function signInError(baseUrl: string, email: string, password: string, extraHeaders: Record<string, string> = {}): Promise<string | null> {
  return (await signInAttempt(baseUrl, email, password, extraHeaders)).error;
}

/** A sign-in attempt's status (429 when locked out), Retry-After and next-auth's error code. */
export async function signInAttempt(baseUrl: string, email: string, password: string, extraHeaders: Record<string, string> = {}) {
  const response = await postCredentials(baseUrl, email, password, extraHeaders);
  const { url } = (await response.json()) as { url: string };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), error: new URL(url).searchParams.get('error') };
}

async function postCredentials(baseUrl: string, email: string, password: string, extraHeaders: Record<string, string>) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: extraHeaders });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = cookiesFrom(csrf);
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...extraHeaders, 'content-type': 'application/x-www-form-urlencoded', cookie: jar.join('; ') },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  });
  return Object.assign(response, { jar });
}

/**
 * next-auth's sign-out as the sign-out page does it (signOut() of next-auth/react): a CSRF token,
 * then POST /api/auth/signout. Returns the status of the POST.
 */
export async function signOut(baseUrl: string, session: Session): Promise<number> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie: session.cookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  // The session's cookies, updated by any the CSRF answer set (by name, as a browser's jar).
  const jar = new Map(session.cookie.split('; ').map((c) => [c.split('=', 1)[0], c] as const));
  for (const c of cookiesFrom(csrf)) jar.set(c.split('=', 1)[0], c);
  const cookie = [...jar.values()].join('; ');
  const response = await fetch(`${baseUrl}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: new URL(baseUrl).origin },
    body: new URLSearchParams({ csrfToken, callbackUrl: '/signin', json: 'true' }),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function mustSignIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const session = await signIn(baseUrl, email, password);
  if (!session) throw new Error(`could not sign in as ${email}`);
  return session;
}

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(
  baseUrl: string,
  path: string,
  options: { method?: string; session?: Session | null; json?: unknown; rawBody?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (options.session) {
    headers.cookie = options.session.cookie;
    // As a browser does on every POST/PUT/PATCH/DELETE: the server refuses a cookie-signed
    // change without its own Origin (lib/http/same-origin.ts).
    if ((options.method ?? 'GET') !== 'GET') headers.origin = new URL(baseUrl).origin;
  }
  Object.assign(headers, options.headers);
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method: options.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: leave the text for the assertion message
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/**
 * Calls a server action the way React does (POST with a Next-Action header, arguments encoded
 * as a JSON array) and returns the HTTP status and, when it returned one, its result value.
 */
export async function callAction(baseUrl: string, pagePath: string, actionId: string, args: unknown[], session?: Session | null) {
  const headers: Record<string, string> = { 'next-action': actionId, 'content-type': 'text/plain;charset=UTF-8', origin: baseUrl, accept: 'text/x-component' };
  if (session) headers.cookie = session.cookie;
  const response = await fetch(`${baseUrl}${pagePath}`, { method: 'POST', headers, body: JSON.stringify(args), redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, result: readFlightResult(text), text };
}

function readFlightResult(text: string): unknown {
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) rows.set(line.slice(0, i), line.slice(i + 1));
  }
  try {
    const head = JSON.parse(rows.get('0') ?? 'null') as { a?: string } | null;
    const ref = head?.a?.startsWith('$@') ? head.a.slice(2) : undefined;
    return ref ? JSON.parse(rows.get(ref) ?? 'null') : undefined;
  } catch {
    return undefined;
  }
}
