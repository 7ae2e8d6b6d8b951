import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { TrustedProxy } from '@/lib/env';

/**
 * The header server.ts stamps on every request with the client's address, for code that sees
 * only headers (next-auth's authorize callback, route handlers). It is safe to believe because
 * every request this process answers goes through server.ts's handler first, which deletes
 * any copy the client sent before stamping its own: no request reaches Next or the fast path
 * without it, nor with a value from outside.
 */
export const CLIENT_ADDRESS_HEADER = 'x-depot-client-address';

// Headers a proxy sets about the original request; believed only from a trusted proxy. Next
// compares a server action's Origin with X-Forwarded-Host, and next-auth builds URLs from
// X-Forwarded-Host/-Proto, so anyone else's copy is removed.
const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded'] as const;

export type ProxyTrust = (address: string) => boolean;

export function proxyTrust(proxies: TrustedProxy[]): ProxyTrust {
  if (proxies.length === 0) return () => false;
  const list = new net.BlockList();
  for (const p of proxies) list.addSubnet(p.address, p.prefix, p.family);
  return (address) => {
    const version = net.isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/** `::ffff:10.0.0.5` (an IPv4 client on a dual-stack socket) is 10.0.0.5. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * address in X-Forwarded-For that is not itself a trusted proxy (read right to left, since a
 * client can put anything at the left end).
 */
export function clientAddressOf(req: IncomingMessage, trusted: ProxyTrust): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  if (!trusted(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => plain(h.trim()))
    .filter((h) => net.isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted(hops[i])) return hops[i];
  return hops[0] ?? peer;
}

/**
 * Run first for every request: removes forwarded headers that did not come from a trusted proxy
 * and any client-sent CLIENT_ADDRESS_HEADER, then stamps the client's address.
 */
export function stampClientAddress(req: IncomingMessage, trusted: ProxyTrust): void {
  const address = clientAddressOf(req, trusted);
  const drop = new Set<string>([CLIENT_ADDRESS_HEADER]);
  if (!trusted(plain(req.socket.remoteAddress ?? ''))) for (const name of FORWARDED_HEADERS) drop.add(name);
  for (const name of drop) delete req.headers[name];
  // rawHeaders too, in case anything downstream reads them instead of headers.
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (!drop.has(req.rawHeaders[i].toLowerCase())) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw, CLIENT_ADDRESS_HEADER, address);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
}

/** The stamped address from a request's headers (next-auth's authorize gets a plain object). */
export function stampedClientAddress(headers: Headers | Record<string, unknown> | undefined): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_ADDRESS_HEADER) : headers?.[CLIENT_ADDRESS_HEADER];
  // Never missing behind server.ts; 'unknown' keeps a (test) caller without it throttled as one.
  return typeof value === 'string' && value ? value : 'unknown';
}
