import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppError, toErrorBody } from '@/lib/errors';
import type { TrustedProxy } from '@/lib/env';
import { answerBeforeBody, JSON_TYPE } from '@/lib/http/answer-before-body';
import { crossSiteRefusal, fromNodeHeaders } from '@/lib/http/same-origin';
import { proxyTrust, stampClientAddress } from './client-address';

/**
 * What server.ts does with every request before the fast path or Next sees it. Returns true
 * when it answered the request itself.
 *
 * 1. Stamps the client address and removes X-Forwarded-* unless the peer is a trusted proxy
 *    (DEPOT_TRUSTED_PROXIES), so neither next-auth's URLs nor Next's server-action origin check
 *    can be steered by a client-sent X-Forwarded-Host (lib/server/client-address.ts).
 * 2. Refuses a server action posted from another site with 403. Next makes the same check but
 *    answers it with a 500; server actions authenticate by the session cookie, so the rule is
 *    the one of lib/http/same-origin.ts, whatever Authorization says.
 * 3. Refuses a plain HTML form post (multipart or urlencoded, no Next-Action header) whose
 *    Origin is another site's, or whose Sec-Fetch-Site says cross-site, with 403: Next treats
 *    such a POST as a possible server action and answers a foreign one with a 500 ("Invalid
 *    Server Actions request"). A form post without Origin (curl, next-auth's tests) and one
 *    from this site, such as next-auth's own sign-in and sign-out posts under /api/auth, go on.
 *    A request with Authorization goes on too: a page on another site cannot set that header,
 *    and a Bearer token's upload is checked by the fast path, where a token is not refused.
 */
const FORM_TYPES = new Set(['multipart/form-data', 'application/x-www-form-urlencoded']);

export function handleRequestEdge(proxies: TrustedProxy[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const trusted = proxyTrust(proxies);
  return (req, res) => {
    stampClientAddress(req, trusted);
    if (req.method !== 'POST') return false;
    const refusal = req.headers['next-action'] !== undefined ? actionRefusal(req) : formRefusal(req);
    if (!refusal) return false;
    const { status, body } = toErrorBody(refusal);
    answerBeforeBody(req, res, status, JSON.stringify(body), JSON_TYPE); // the body is left unread
    return true;
  };
}

function actionRefusal(req: IncomingMessage): AppError | null {
  const get = fromNodeHeaders(req.headers);
  return crossSiteRefusal('POST', (name) => (name === 'authorization' ? undefined : get(name)));
}

function formRefusal(req: IncomingMessage): AppError | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!FORM_TYPES.has(type) || req.headers.authorization !== undefined) return null;
  const get = fromNodeHeaders(req.headers);
  if (get('origin') === undefined && get('sec-fetch-site') !== 'cross-site') return null;
  return crossSiteRefusal('POST', get);
}
