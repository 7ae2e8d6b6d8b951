import type { IncomingMessage } from 'node:http';
import { getToken } from 'next-auth/jwt';
import type { Db } from '@/db/client';
import type { Actor } from '@/lib/auth/permissions';
import { crossSiteRefusal, fromNodeHeaders } from '@/lib/http/same-origin';
import { bearerToken, resolveTokenActor } from '@/lib/tokens/resolve-token-actor';
import { resolveSessionActor } from '@/lib/users/resolve-session-actor';

/**
 * The same rule as lib/http/session.ts for requests the fast path answers without Next (uploads,
 * downloads): a Bearer API token, else the next-auth session cookie, checked against the users
 * and sessions rows. A cookie-authenticated change from another site (an upload POST) is refused
 * with 403, as lib/http/json-route.ts does (lib/http/same-origin.ts).
 */
export async function resolveNodeRequestActor(db: Db, req: IncomingMessage): Promise<Actor | null> {
  const authorization = req.headers.authorization;
  if (authorization) {
    const token = bearerToken(authorization);
    return token ? resolveTokenActor(db, token) : null;
  }
  const cookies = parseCookies(req.headers.cookie);
  // getToken reads only `cookies` and `headers` of the request it is given; its type asks for a
  // whole Next request, which this plain Node request is not.
  // next-auth names the cookie __Secure-… on HTTPS, judged by NEXTAUTH_URL or, behind a TLS
  // proxy, by X-Forwarded-Proto; look for the name it used.
  const secureCookie = process.env.NEXTAUTH_URL?.startsWith('https://') || req.headers['x-forwarded-proto'] === 'https';
  const jwt = await getToken({ req: { headers: { cookie: req.headers.cookie ?? '' }, cookies } as never, secureCookie });
  if (!jwt) return null;
  const actor = await resolveSessionActor(db, { uid: jwt.uid, sv: jwt.sv, sid: jwt.sid });
  const refusal = actor && crossSiteRefusal(req.method ?? 'GET', fromNodeHeaders(req.headers));
  if (refusal) throw refusal;
  return actor;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      const name = part.slice(0, i).trim();
      try {
        out[name] = decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        out[name] = part.slice(i + 1).trim();
      }
    }
  }
  return out;
}
