import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '@/db/client';
import { requirePermission } from '@/lib/auth/permissions';
import { serveContent } from '@/lib/content/serve-content';
import type { ContentStore } from '@/lib/content/store';
import { AppError, logClientAbort, logUnexpected, toErrorBody } from '@/lib/errors';
import { answerBeforeBody, JSON_TYPE } from '@/lib/http/answer-before-body';
import { clientGone } from '@/lib/http/client-gone';
import { loadPackage } from '@/lib/packages/load-package';
import { handleUploadRequest } from '@/lib/packages/upload-request';
import { resolveNodeRequestActor } from '@/lib/server/node-request-actor';
import { content, enroll, inventory, plan, report, turn } from './agent-routes';
import { heartbeat, relayContent } from './relay-routes';
import { sendJson } from './send-json';

/**
 * The fast path: the agent API, package content and uploads, and the health check are answered
 * by plain Node handlers before Next's router sees the request (measured: a Next route handler
 * served 833 req/s on 2 cores where a plain handler in the same process served 32,000; an idle
 * fleet's polls and gigabyte transfers must not go through the page router).
 */
export interface FastPathContext {
  database: Database;
  store: ContentStore;
  maxPackageBytes: number;
  version: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: FastPathContext, match: RegExpMatchArray) => Promise<void>;

export interface FastRoute {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** Exported for the bad-input sweep (test/fuzz.integ.ts), which calls every route here. */
export const FAST_PATH_ROUTES: readonly FastRoute[] = [
  { method: 'GET', pattern: /^\/api\/health$/, handler: health },
  // Placeholder of the agent protocol: tells an agent which protocol version this server speaks.
  { method: 'GET', pattern: /^\/api\/agent\/v1\/hello$/, handler: hello },
  { method: 'POST', pattern: /^\/api\/agent\/v1\/enroll$/, handler: enroll },
  { method: 'GET', pattern: /^\/api\/agent\/v1\/plan$/, handler: plan },
  { method: 'POST', pattern: /^\/api\/agent\/v1\/inventory$/, handler: inventory },
  { method: 'POST', pattern: /^\/api\/agent\/v1\/report$/, handler: report },
  { method: 'POST', pattern: /^\/api\/agent\/v1\/turn$/, handler: turn },
  // HEAD too (handleFastPath answers HEAD with the GET route, without a body): a relay asks the
  // server whether a machine may have some content with a HEAD and the machine's own token.
  { method: 'GET', pattern: /^\/api\/agent\/v1\/content\/([0-9a-f]{64})$/, handler: content },
  // The relay protocol (lib/contract/relay-api.ts), with relay tokens.
  { method: 'POST', pattern: /^\/api\/relay\/v1\/heartbeat$/, handler: heartbeat },
  { method: 'GET', pattern: /^\/api\/relay\/v1\/content\/([0-9a-f]{64})$/, handler: relayContent },
  { method: 'POST', pattern: /^\/api\/cabinets\/([^/]+)\/packages$/, handler: upload },
  { method: 'GET', pattern: /^\/api\/packages\/([^/]+)\/content$/, handler: downloadForAdmin },
];

/** Handles the request and returns true when it belongs to the fast path; false → hand to Next. */
export async function handleFastPath(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<boolean> {
  const pathname = (req.url ?? '/').split('?', 1)[0];
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const route = FAST_PATH_ROUTES.find((r) => r.method === method && r.pattern.test(pathname));
  const agentApi = /^\/api\/(agent|relay)\/v1(\/|$)/.test(pathname);
  if (!route && !agentApi) return false;
  try {
    if (!route) {
      const others = FAST_PATH_ROUTES.filter((r) => r.pattern.test(pathname));
      if (others.length === 0) throw new AppError('not_found', { message: `No agent API endpoint at ${pathname}.` });
      res.setHeader('Allow', others.map((r) => r.method).join(', '));
      sendJson(res, 405, { error: { code: 'bad_request', message: `${req.method} is not allowed here.` } });
      return true;
    }
    await route.handler(req, res, ctx, pathname.match(route.pattern)!);
  } catch (error) {
    const { status, body } = toErrorBody(error, clientGone(req, res) ? logClientAbort : logUnexpected);
    if (res.headersSent) {
      res.destroy();
    } else if (!req.complete) {
      answerBeforeBody(req, res, status, JSON.stringify(body), JSON_TYPE);
    } else {
      sendJson(res, status, body);
    }
  }
  return true;
}

async function health(_req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const database = await pingWithin(ctx.database, 2000);
  sendJson(res, database === 'up' ? 200 : 503, {
    status: database === 'up' ? 'ok' : 'degraded',
    database,
    databaseKind: ctx.database.kind,
    version: ctx.version,
  });
}

async function hello(_req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  sendJson(res, 200, { protocol: 1, server: 'depot', version: ctx.version });
}

async function upload(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext, match: RegExpMatchArray): Promise<void> {
  const pkg = await handleUploadRequest(req, { db: ctx.database.db, store: ctx.store, maxBytes: ctx.maxPackageBytes }, pathParam(match[1]));
  sendJson(res, 201, { package: pkg });
}

/** An admin's download of a package's content (session or API token). */
async function downloadForAdmin(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext, match: RegExpMatchArray): Promise<void> {
  requirePermission(await resolveNodeRequestActor(ctx.database.db, req), 'admin.view');
  const { pkg } = await loadPackage(ctx.database.db, pathParam(match[1]));
  await serveContent(req, res, { path: ctx.store.pathOf(pkg.contentSha256), sha256: pkg.contentSha256, size: pkg.size, fileName: pkg.fileName });
}

/** A path segment, decoded; a malformed escape (%E0) is simply not found, never a 500. */
function pathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('not_found', { message: 'Not found.' });
  }
}

async function pingWithin(database: Database, ms: number): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      database.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
