import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@/lib/agent-api/send-json';
import { toErrorBody } from '@/lib/errors';
import type { TrustedProxy } from '@/lib/env';
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
 */
export function handleRequestEdge(proxies: TrustedProxy[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const trusted = proxyTrust(proxies);
  return (req, res) => {
    stampClientAddress(req, trusted);
    if (req.method === 'POST' && req.headers['next-action'] !== undefined) {
      const get = fromNodeHeaders(req.headers);
      const refusal = crossSiteRefusal('POST', (name) => (name === 'authorization' ? undefined : get(name)));
      if (refusal) {
        const { status, body } = toErrorBody(refusal);
        res.setHeader('connection', 'close'); // the body is left unread
        sendJson(res, status, body);
        return true;
      }
    }
    return false;
  };
}
