import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRange } from '../../lib/contract/byte-range';
import { RELAY_API } from '../../lib/contract/relay-api';
import type { Authorizer, Requester } from './authorizer';
import type { ContentCache } from './content-cache';
import { UpstreamError } from './download';
import type { RelayStats } from './relay-stats';
import { sendFileRange, type FileSource } from './send-file-range';
import { sendingPath } from './native-sendfile';

export interface HandlerContext {
  cache: ContentCache;
  authorizer: Authorizer;
  stats: RelayStats;
  maxClients: number;
  cacheLimitBytes: number;
  /** SHA-256 of the relay's own token: /healthz shows its figures only to a request that carries it. */
  tokenHash: Buffer;
  version: string;
  random(): number;
  /** The server refused this relay's token on its heartbeat: serve nothing. */
  revoked(): boolean;
  /** A stop is under way: responses in flight finish, new requests are turned away. */
  stopping(): boolean;
  /** Content responses in flight, so a stop can let them finish. */
  active: Set<ServerResponse>;
}

export const REVOKED_MESSAGE =
  "This relay's token was revoked on the managing server, so it serves nothing; download from the managing server. (Relay operator: register the relay again on the Relays page and restart it with the new token.)";

const ROUTES: { pattern: RegExp; requester: Requester }[] = [
  { pattern: /^\/api\/agent\/v1\/content\/([0-9a-f]{64})$/, requester: 'machine' },
  { pattern: new RegExp(`^${RELAY_API.replace(/\//g, '\\/')}\\/content\\/([0-9a-f]{64})$`), requester: 'relay' },
];

/**
 * The relay's HTTP surface: content for machines (agent API path) and for child relays (relay
 * API path), and /healthz. Everything is streamed; nothing reads a whole content into memory.
 */
export function createRequestHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      return health(req, res, ctx);
    }
    for (const route of ROUTES) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      serveContentRequest(req, res, ctx, route.requester, match[1]).catch((error: Error) => {
        // Headers already out means a body is half sent: only a cut connection tells the client.
        if (res.headersSent) res.destroy(error);
        else sendError(res, 500, 'internal', 'The relay failed to serve this content; download from the managing server.');
      });
      return;
    }
    sendError(res, 404, 'not_found', `No relay endpoint at ${pathname}.`);
  };
}

async function serveContentRequest(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, requester: Requester, sha256: string): Promise<void> {
  if (ctx.revoked()) return sendError(res, 401, 'unauthorized', REVOKED_MESSAGE);
  if (ctx.stopping()) return refuseStopping(res);
  const authorization = req.headers.authorization;
  if (!authorization || !/^Bearer \S+$/.test(authorization)) {
    return sendError(res, 401, 'unauthorized', `Send the ${requester === 'machine' ? "machine's" : "relay's"} token: Authorization: Bearer <token>.`);
  }
  const auth = await ctx.authorizer.check(requester, authorization, sha256);
  if (!auth.ok) {
    // Too many checks in flight (lib authorizer's cap): come back later, jittered as below.
    if (auth.status === 503) res.setHeader('retry-after', String(2 + Math.floor(ctx.random() * 4)));
    return sendError(res, auth.status, auth.code, auth.message);
  }
  // The client left while the server was asked: nothing to start for it.
  if (gone(res)) return;
  // A stop began while the server was asked.
  if (ctx.stopping()) return refuseStopping(res);
  // A client slot only once the server said yes: requests with bad tokens, however many, never
  // take the slots of the machines that may download.
  if (ctx.stats.activeClients >= ctx.maxClients) {
    ctx.stats.refused++;
    // Jittered, so a crowd that was turned away does not come back in step.
    res.setHeader('retry-after', String(2 + Math.floor(ctx.random() * 4)));
    return sendError(res, 503, 'unavailable', `This relay is serving its maximum of ${ctx.maxClients} clients; try again in a few seconds or download from the managing server.`);
  }
  ctx.stats.activeClients++;
  ctx.active.add(res);
  res.once('close', () => {
    ctx.stats.activeClients--;
    ctx.active.delete(res);
  });

  // Counted from here until the response closes: neither eviction nor a delete order touches it.
  const release = ctx.cache.acquire(sha256);
  res.once('close', release);
  ctx.cache.markUsed(sha256);

  let found = ctx.cache.find(sha256);
  if (!found && req.method === 'HEAD' && auth.size !== null) {
    // A HEAD needs only the size, which the server's answer gave: no fetch for it.
    return respond(req, res, ctx, sha256, auth.size, null);
  }
  found ??= { kind: 'download', download: ctx.cache.fetch(sha256, auth.size) };
  if (found.kind === 'blob') return respond(req, res, ctx, sha256, found.size, { file: found.path });

  // A fetch, once started, runs to its end even if every client leaves: the next one finds it cached.
  const download = found.download;
  try {
    await download.ready;
    // Nothing to stream for empty content: its answer waits for the verification instead.
    if (download.size === 0) await download.finished;
  } catch (error) {
    return refuseUpstream(res, sha256, error as Error);
  }
  if (gone(res)) return;
  if (download.state === 'done') return respond(req, res, ctx, sha256, download.size, { file: download.finalPath });
  return respond(req, res, ctx, sha256, download.size, { download });
}

/** Headers like the managing server's content route (lib/content/serve-content.ts), then the bytes. */
function respond(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, sha256: string, size: number, source: FileSource | null): void {
  const etag = `"${sha256}"`;
  const headers: Record<string, string | number> = {
    etag,
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=31536000, immutable',
    'content-type': 'application/octet-stream',
    'x-content-sha256': sha256,
  };
  if (req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
    res.writeHead(304, headers).end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const range = parseRange(req.headers.range, size, typeof ifRange === 'string' ? ifRange : undefined, etag);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const writeHead = () =>
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
  if (req.method === 'HEAD' || !source || end < start) {
    writeHead().end();
    return;
  }
  // A failure before the first byte (the fetch behind it failed before this client got anything)
  // is a refusal the client can act on. After it, the response is destroyed, which cuts the
  // connection short of Content-Length: a client cannot take it for whole.
  sendFileRange(res, source, start, end, (n) => (ctx.stats.bytesServed += n), writeHead).catch((error: Error) =>
    res.headersSent ? res.destroy(error) : refuseUpstream(res, sha256, error),
  );
}

/** The answer when the content cannot be had from upstream: 404 if it has none, else 502. */
function refuseUpstream(res: ServerResponse, sha256: string, error: Error): void {
  const status = error instanceof UpstreamError ? error.status : 502;
  sendError(
    res,
    status,
    status === 404 ? 'not_found' : 'upstream_unavailable',
    status === 404 ? `No content ${sha256} is available upstream.` : `The relay could not fetch this content (${error.message}); download from the managing server.`,
  );
}

/**
 * Up or down for anyone (200 ok, 503 revoked), so a load balancer or a monitor needs no secret;
 * the figures and the last error (which may name hosts and paths) only with the relay's own
 * token, compared as SHA-256 digests in constant time. A wrong token is a 401.
 */
function health(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): void {
  const revoked = ctx.revoked();
  const status = revoked ? 503 : 200;
  const state = { status: revoked ? 'revoked' : 'ok' };
  const authorization = req.headers.authorization;
  if (authorization === undefined) return sendJson(res, status, state);
  if (!isOwnToken(authorization, ctx.tokenHash)) {
    return sendError(res, 401, 'unauthorized', "The relay's figures need its own token: Authorization: Bearer <relay token>. Without it /healthz says only ok or revoked.");
  }
  sendJson(res, status, {
    ...state,
    version: ctx.version,
    startedAt: ctx.stats.startedAt,
    activeClients: ctx.stats.activeClients,
    maxClients: ctx.maxClients,
    bytesServed: ctx.stats.bytesServed,
    bytesFetched: ctx.stats.bytesFetched,
    refused: ctx.stats.refused,
    lastError: ctx.stats.lastError,
    sending: sendingPath(),
    cacheUsedBytes: ctx.cache.usedBytes(),
    cacheLimitBytes: ctx.cacheLimitBytes,
  });
}

function isOwnToken(authorization: string, tokenHash: Buffer): boolean {
  const presented = /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (!presented) return false;
  return crypto.timingSafeEqual(crypto.createHash('sha256').update(presented).digest(), tokenHash);
}

function refuseStopping(res: ServerResponse): void {
  res.setHeader('connection', 'close');
  sendError(res, 503, 'unavailable', 'This relay is stopping; download from the managing server.');
}

function gone(res: ServerResponse): boolean {
  return res.destroyed || res.closed || !!res.socket?.destroyed;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendError(res, 405, 'bad_request', `Only ${allow} are allowed here.`);
}

/** Errors in the agent API's shape ({ error: { code, message } }), as relayErrorSchema says. */
function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
