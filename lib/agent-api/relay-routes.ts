import type { IncomingMessage, ServerResponse } from 'node:http';
import { eq } from 'drizzle-orm';
import { contentBlobs, packages } from '@/db/schema';
import { serveContent } from '@/lib/content/serve-content';
import { AppError } from '@/lib/errors';
import { recordHeartbeat } from '@/lib/relays/record-heartbeat';
import { resolveRelay, type RelayIdentity } from '@/lib/relays/resolve-relay';
import type { FastPathContext } from './fast-path';
import { readJsonBody } from './read-json';
import { sendJson } from './send-json';

// 100,000 held contents of about 120 bytes each, plus outcomes: the schema's own limits fit.
const HEARTBEAT_MAX_BYTES = 16 * 1024 * 1024;
const REFUSED = 'This relay token is not valid: the relay was revoked or never registered. Create a relay on the Relays page and start depot-relay with its token.';

async function requireRelay(req: IncomingMessage, ctx: FastPathContext): Promise<RelayIdentity> {
  const relay = await resolveRelay(ctx.database.db, req.headers.authorization);
  if (!relay) throw new AppError('unauthorized', { message: REFUSED });
  return relay;
}

/** POST /api/relay/v1/heartbeat: what the relay holds, its disk and health, order outcomes → its orders and pinned content. */
export async function heartbeat(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const relay = await requireRelay(req, ctx);
  sendJson(res, 200, await recordHeartbeat(ctx.database.db, { relay, input: await readJsonBody(req, HEARTBEAT_MAX_BYTES) }));
}

/**
 * GET (and HEAD) /api/relay/v1/content/<sha256>: any content of an existing package, for a relay
 * filling its cache (a relay serves many machines, each checked with its own token). A parent
 * relay checks a child's token with a HEAD here.
 */
export async function relayContent(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext, match: RegExpMatchArray): Promise<void> {
  await requireRelay(req, ctx);
  const sha256 = match[1];
  const [blob] = await ctx.database.db
    .select({ size: contentBlobs.size })
    .from(contentBlobs)
    .innerJoin(packages, eq(packages.contentSha256, contentBlobs.sha256))
    .where(eq(contentBlobs.sha256, sha256))
    .limit(1);
  if (!blob) throw new AppError('not_found', { message: `No package has content ${sha256}.` });
  await serveContent(req, res, { path: ctx.store.pathOf(sha256), sha256, size: blob.size });
}
