import type { IncomingMessage, ServerResponse } from 'node:http';
import { and, eq, inArray } from 'drizzle-orm';
import { assignments, contentBlobs, jobs, packages } from '@/db/schema';
import { applyReport } from '@/lib/assignments/apply-report';
import { requestTurn } from '@/lib/assignments/request-turn';
import { ACTIVE_STATES } from '@/lib/assignments/transitions';
import { planEtag } from '@/lib/contract/agent-api';
import { serveContent } from '@/lib/content/serve-content';
import { AppError } from '@/lib/errors';
import { withEnrolThrottle } from '@/lib/machines/enrol-throttle';
import { enrollMachine } from '@/lib/machines/enroll-machine';
import { getPlan } from '@/lib/machines/get-plan';
import { recordInventory } from '@/lib/machines/record-inventory';
import { resolveMachine, touchMachine, type MachineIdentity } from '@/lib/machines/resolve-machine';
import { stampedClientAddress } from '@/lib/server/client-address';
import type { FastPathContext } from './fast-path';
import { readJsonBody } from './read-json';
import { sendJson } from './send-json';

const REPORT_MAX_BYTES = 4 * 1024 * 1024;
const REFUSED = 'This machine token is not valid: the machine was retired or never enrolled. Enrol it again with a current enrolment secret.';

async function requireMachine(req: IncomingMessage, ctx: FastPathContext): Promise<MachineIdentity> {
  const machine = await resolveMachine(ctx.database.db, req.headers.authorization);
  if (!machine) throw new AppError('unauthorized', { message: REFUSED });
  return machine;
}

/**
 * POST /api/agent/v1/enroll: enrolment secret + facts → machine id + token (shown once). Wrong
 * secrets are throttled per client address (429 with Retry-After).
 */
export async function enroll(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const throttle = { clientAddress: stampedClientAddress(req.headers), onLocked: (s: number) => res.setHeader('retry-after', String(s)) };
  const result = await withEnrolThrottle(ctx.database.db, throttle, async () => enrollMachine(ctx.database.db, { input: await readJsonBody(req) }));
  sendJson(res, 201, result);
}

/**
 * GET /api/agent/v1/plan: the hot path. With If-None-Match equal to the current plan version the
 * answer is 304 after one indexed lookup (plus a last-seen write at most every 5 minutes).
 */
export async function plan(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const machine = await requireMachine(req, ctx);
  const now = new Date();
  const etag = planEtag(machine.id, machine.planVersion);
  await touchMachine(ctx.database.db, machine, now);
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag, 'cache-control': 'no-store' }).end();
    return;
  }
  res.setHeader('etag', etag);
  sendJson(res, 200, await getPlan(ctx.database.db, machine.id));
}

/** GET /api/agent/v1/content/<sha256>: package content for an enrolled machine, with Range. */
export async function content(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext, match: RegExpMatchArray): Promise<void> {
  const machine = await requireMachine(req, ctx);
  const sha256 = match[1];
  // Only content of a package assigned to this machine, for an assignment that may still download
  // it: the states the plan lists (an offer is not in the plan until the user chooses it). A
  // cancelled, expired or finished one is no key to the store. The relay's HEAD authorization
  // asks this same route, so a relay follows the same rule.
  const [blob] = await ctx.database.db
    .select({ size: contentBlobs.size })
    .from(contentBlobs)
    .innerJoin(packages, eq(packages.contentSha256, contentBlobs.sha256))
    .innerJoin(jobs, eq(jobs.packageId, packages.id))
    .innerJoin(assignments, and(eq(assignments.jobId, jobs.id), eq(assignments.machineId, machine.id), inArray(assignments.state, [...ACTIVE_STATES])))
    .where(eq(contentBlobs.sha256, sha256))
    .limit(1);
  if (!blob) throw new AppError('not_found', { message: `No content ${sha256} is assigned to this machine.` });
  await serveContent(req, res, { path: ctx.store.pathOf(sha256), sha256, size: blob.size });
}

/** POST /api/agent/v1/inventory: the machine's facts; answers with the plan version to fetch. */
export async function inventory(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const machine = await requireMachine(req, ctx);
  sendJson(res, 200, await recordInventory(ctx.database.db, { machineId: machine.id, input: await readJsonBody(req) }));
}

// An installer's output is whatever it printed (NUL, invalid UTF-8): applyReport stores it with
// the unstorable code points replaced visibly instead of refusing the event (issue 14).
// Installer output and the agent's reason may hold NUL or lone surrogates: applyReport replaces them
// visibly before it validates, since refusing the batch would leave that install unreported.
const isReportOutput = (field: string) => /^events\.\d+\.(output|reason)$/.test(field);

/** POST /api/agent/v1/report: a batch of attempt events; per event applied, duplicate or refused. */
export async function report(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const machine = await requireMachine(req, ctx);
  // Events carry up to 64 KiB of output each; the agent sends at most 1 MiB per batch.
  sendJson(res, 200, await applyReport(ctx.database.db, { machineId: machine.id, input: await readJsonBody(req, REPORT_MAX_BYTES, { rawTextAllowed: isReportOutput }) }));
}

/** POST /api/agent/v1/turn: may this install start now (jobs with a cap on concurrent installs)? */
export async function turn(req: IncomingMessage, res: ServerResponse, ctx: FastPathContext): Promise<void> {
  const machine = await requireMachine(req, ctx);
  sendJson(res, 200, await requestTurn(ctx.database.db, { machineId: machine.id, input: await readJsonBody(req) }));
}
