import crypto from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import fs from 'node:fs';
import path from 'node:path';
import schedule from 'node-schedule';
import { AGENT_API, planEtag, planSchema, reportResponseSchema, turnResponseSchema, type Inventory, type Plan, type PlanAssignment, type ReportEvent, type ReportResponse, type TurnResponse } from '../../lib/contract/agent-api';
import { writeStateFile, type Identity } from './agent-dir';
import { nextDelay, parseRetryAfter } from './backoff';
import { nodeFetch } from '../shared/node-fetch';
import { readStateFile } from '../shared/state-file';
import { realProbe, type MachineProbe } from './checks';
import type { DownloadTuning } from './download';
import { Executor } from './executor';
import { runProcess, waitForChild, type ProcessRunner } from './process-runner';

/** Everything the daemon touches outside itself, so tests drive time and failures without sleeping. */
export interface AgentWorld {
  now(): number;
  /** Resolves after ms, or at once when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Resolves after ms or at wakeAt, whichever comes first, or when the signal aborts. */
  wait(ms: number, wakeAt: Date | null, signal: AbortSignal): Promise<void>;
  run: ProcessRunner;
  probe: MachineProbe;
  random(): number;
  fetch: typeof fetch;
  collect(): Promise<Inventory>;
  log(line: string): void;
  /** An AbortSignal that aborts after ms (default: a real timer); tests tie it to their clock. */
  timeout?(ms: number): AbortSignal;
}

export const realWorld = (collect: () => Promise<Inventory>): AgentWorld => ({
  now: () => Date.now(),
  // Returns at once when already stopped, and leaves no listener behind when the timer fires.
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }).catch(() => undefined),
  // node-schedule wakes the agent at an installation window's opening: it re-checks the wall
  // clock, so a suspended laptop or a clock change does not make it miss the window.
  async wait(ms, wakeAt, signal) {
    const wake = new AbortController();
    const job = wakeAt ? schedule.scheduleJob(wakeAt, () => wake.abort()) : null;
    await sleepFor(ms, undefined, { signal: AbortSignal.any([signal, wake.signal]) }).catch(() => undefined);
    job?.cancel();
  },
  run: runProcess,
  probe: realProbe(runProcess),
  random: Math.random,
  fetch: nodeFetch,
  collect,
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});

export interface RoundResult {
  ok: boolean;
  retryAfterMs?: number;
}

// Facts are re-read on a slow timer: some systeminformation calls take 0.1-0.5 s.
const FACTS_EVERY_MS = 30 * 60_000;
const DEFAULT_POLL = { pollSeconds: 60, jitterSeconds: 30 };
/** After a stop (SIGTERM), how long the last reports may take to reach the server. */
export const FINAL_REPORT_MS = 10_000;
/** Written while the server refuses this machine's token, so a restart does not run the cached plan either. */
const TOKEN_REFUSED = 'token-refused.json';

/** The state file's text when the server refused this machine's token, else null (`depot-agent status`). */
export function tokenRefusedSince(dir: string): string | null {
  return readText(path.join(dir, TOKEN_REFUSED));
}

/**
 * The agent's loop: one round at a time, never overlapping. A round sends the inventory when it
 * changed, then asks for the plan with the cached version (304: nothing to do). The plan is kept
 * on disk, so a restart or an unreachable server leaves the machine with its last plan. A 401 is
 * reported plainly and the token is kept: a brief refusal must not make the agent forget who it is.
 *
 * Unreachable (no answer, a timeout, a 5xx) and refused (401 for this machine's token) differ: the
 * first keeps installing from the cached plan, the second runs nothing from it at all until the
 * server accepts the token again, since a retired machine's plan holds only cancelled work.
 */
export class AgentDaemon {
  plan: Plan | null;
  private failures = 0;
  private factsAt = -Infinity;
  private facts: Inventory | null = null;
  private sentFactsHash: string | null;
  /** Since when the server refuses this machine's token (ISO time), or null; kept on disk. */
  private refusedSince: string | null;
  /** Set by a stop: from then on each flush of the reports gets its own FINAL_REPORT_MS. */
  private stopped = false;

  constructor(
    private readonly identity: Identity,
    private readonly dir: string,
    private readonly world: AgentWorld,
    /** How long relays and stalled downloads are waited for (defaults: 5 s, 5 min rest, 60 s idle). */
    download: DownloadTuning = {},
  ) {
    const cached = readStateFile(path.join(dir, 'plan.json'), planSchema);
    // A plan left by an earlier enrolment of this directory belongs to another machine.
    this.plan = cached?.machineId === identity.machineId ? cached : null;
    this.sentFactsHash = readText(path.join(dir, 'inventory.sha256'));
    this.refusedSince = tokenRefusedSince(dir);
    this.executor = new Executor(identity, dir, {
      now: world.now,
      fetch: world.fetch,
      run: world.run,
      probe: world.probe,
      log: world.log,
      sendInventoryNow: () => this.sendInventoryNow(),
      sendReports: async () => {
        await this.flushReports();
      },
      currentPlan: () => this.currentPlan(),
      requestTurn: (a) => this.requestTurn(a),
      tokenRefused: () => this.refusedSince !== null,
      waitForChild,
    }, download);
  }

  readonly executor: Executor;

  /** For inventory jobs: fresh facts, sent even if unchanged; true once the server has them. */
  private async sendInventoryNow(): Promise<boolean> {
    this.factsAt = -Infinity;
    this.sentFactsHash = null;
    try {
      return (await this.sendInventoryIfChanged())?.status === 200;
    } catch {
      return false;
    }
  }

  /** A turn to install (jobs with a cap), or null when the server cannot be reached or answers oddly. */
  private async requestTurn(a: PlanAssignment): Promise<TurnResponse | null> {
    try {
      const res = await this.request('POST', '/turn', { assignmentId: a.assignmentId, attempt: a.attempt });
      if (res.status !== 200) {
        await this.refusal(res, 'asking for a turn to install');
        return null;
      }
      this.tokenAccepted();
      return turnResponseSchema.parse(await res.json());
    } catch {
      return null;
    }
  }

  /** The plan as the server has it now (a 304 when unchanged), or null when it cannot be reached. */
  private async currentPlan(): Promise<Plan | null> {
    try {
      const res = await this.refreshPlan();
      if (!res) return this.plan;
      await res.body?.cancel();
      return null;
    } catch {
      return null;
    }
  }

  /**
   * Asks for the plan with the cached version: on 304 or 200 the cached plan is current (and kept
   * on disk) and null is returned; any other answer is returned for the caller to judge.
   */
  private async refreshPlan(): Promise<Response | null> {
    const res = await this.request('GET', '/plan', undefined, this.plan ? planEtagOf(this.plan) : undefined);
    if (res.status === 304 || res.status === 200) this.tokenAccepted();
    if (res.status === 304) return null;
    if (res.status !== 200) {
      // Judged here too, so a refusal found right before an installer stops it.
      if (res.status === 401) this.tokenRefused();
      return res;
    }
    this.keepPlan(planSchema.parse(await res.json()));
    return null;
  }

  private keepPlan(plan: Plan): void {
    writeStateFile(this.dir, 'plan.json', JSON.stringify(plan));
    if (this.plan?.version !== plan.version) this.world.log(`plan version ${plan.version}: ${plan.assignments.length} assignment(s), ${plan.windows.length} window(s) in ${plan.timeZone}`);
    this.plan = plan;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) this.stopping();
    else signal.addEventListener('abort', () => this.stopping(), { once: true });
    // A random first delay: a fleet restarted together (a power cut, an update) does not stampede.
    await this.world.sleep(Math.round(this.world.random() * (this.plan?.jitterSeconds ?? DEFAULT_POLL.jitterSeconds) * 1000), signal);
    while (!signal.aborted) {
      let result: RoundResult;
      try {
        result = await this.round(signal);
      } catch (error) {
        this.world.log(`round failed: ${(error as Error).message}`);
        result = { ok: false };
      }
      // Work goes on with the cached plan when the server cannot be reached.
      let wakeAt: Date | null = null;
      try {
        wakeAt = await this.work(signal);
      } catch (error) {
        this.world.log(`work failed: ${(error as Error).message}`);
      }
      this.failures = result.ok ? 0 : this.failures + 1;
      const delay = nextDelay({
        ok: result.ok,
        failures: this.failures,
        pollSeconds: this.plan?.pollSeconds ?? DEFAULT_POLL.pollSeconds,
        jitterSeconds: this.plan?.jitterSeconds ?? DEFAULT_POLL.jitterSeconds,
        retryAfterMs: result.retryAfterMs,
        random: this.world.random,
      });
      await this.world.wait(delay, wakeAt, signal);
    }
    // A stop during an install: the installer was let finish, and its report goes now, not at the next start.
    await this.flushReports();
  }

  /**
   * A stop (SIGTERM) aborts the round's requests, but the last reports still get FINAL_REPORT_MS
   * to reach the server: an install that ended while the agent was stopping is reported before
   * it exits, not left on disk until the next start. The time is counted from the flush, not from
   * the stop: an installer is let finish, and may end a minute after the SIGTERM.
   */
  stopping(): void {
    this.stopped = true;
  }

  /** Installs what is due, then sends the reports; returns when the next assignment is due. */
  async work(signal?: AbortSignal): Promise<Date | null> {
    if (!this.plan) return null;
    if (this.refusedSince) {
      this.world.log(`the server refuses this machine's token since ${this.refusedSince}: nothing from the cached plan runs (no install, uninstall or detection) until it accepts it again`);
      return null;
    }
    const wakeAt = await this.executor.work(this.plan, signal);
    await this.flushReports();
    return wakeAt;
  }

  /** Sends queued reports; false when the server could not take them (they stay on disk). */
  async flushReports(): Promise<boolean> {
    if (this.executor.outbox.size === 0) return true;
    const final = this.stopped ? (this.world.timeout ?? AbortSignal.timeout)(FINAL_REPORT_MS) : undefined;
    return this.executor.outbox.flush((events) => this.sendReport(events, final), this.world.log);
  }

  private async sendReport(events: ReportEvent[], final?: AbortSignal): Promise<ReportResponse | { refusedBatch: string } | null> {
    try {
      const res = await this.request('POST', '/report', { events }, undefined, final);
      // The server refuses the batch as a whole (bad input, too large): the outbox tries the events
      // one by one and drops one it refuses alone, so it never sends the same refused batch forever.
      // Only Depot's own JSON refusal counts: a 403 or 404 page from a proxy in between says
      // nothing about the events, and dropping them would lose the reports for good.
      if (res.status === 400 || res.status === 413 || res.status === 422) {
        const text = await res.text().catch(() => '');
        if (isDepotRefusal(text)) return { refusedBatch: `the server answered ${res.status}: ${text.slice(0, 200)}` };
        this.world.log(`report: the server answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}; keeping the reports`);
        return null;
      }
      if (res.status !== 200) {
        await this.refusal(res, 'report');
        return null;
      }
      this.tokenAccepted();
      return reportResponseSchema.parse(await res.json());
    } catch (error) {
      this.world.log(`report: ${(error as Error).message}`);
      return null;
    }
  }

  /** One round: inventory if changed, then the plan. A stop aborts the round's requests too. */
  async round(stop?: AbortSignal): Promise<RoundResult> {
    this.stop = stop;
    try {
      return await this.exchange();
    } catch (error) {
      if (stop?.aborted) throw error;
      // Unreachable (refused, reset, DNS, timeout): the cached plan carries on.
      const cause = (error as Error & { cause?: Error }).cause;
      this.world.log(`server unreachable: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
      return { ok: false };
    }
  }

  private async exchange(): Promise<RoundResult> {
    const inventoryResult = await this.sendInventoryIfChanged();
    // A refused inventory (a time zone the server does not know, a brief 5xx) must not keep the
    // machine from its plan; only a refused token ends the round.
    if (inventoryResult?.status === 401) return inventoryResult.result;
    // Reports before the plan, so the plan fetched next no longer lists finished work.
    await this.flushReports();
    const refused = await this.refreshPlan();
    return refused ? this.refusal(refused, 'plan') : { ok: true };
  }

  private stop: AbortSignal | undefined;

  private async sendInventoryIfChanged(): Promise<{ status: number; result: RoundResult } | null> {
    if (this.world.now() - this.factsAt >= FACTS_EVERY_MS || !this.facts) {
      this.facts = await this.world.collect();
      this.factsAt = this.world.now();
    }
    const hash = stableHash(this.facts);
    if (hash === this.sentFactsHash) return null;
    const res = await this.request('POST', '/inventory', this.facts);
    if (res.status !== 200) return { status: res.status, result: await this.refusal(res, 'inventory') };
    await res.body?.cancel();
    this.tokenAccepted();
    this.sentFactsHash = hash;
    writeStateFile(this.dir, 'inventory.sha256', hash);
    return { status: 200, result: { ok: true } };
  }

  private async refusal(res: Response, what: string): Promise<RoundResult> {
    const text = await res.text().catch(() => '');
    if (res.status === 401) {
      this.tokenRefused();
      this.world.log(`the server refused this machine's token (401) for ${what}; keeping it and retrying, and running nothing from the cached plan meanwhile. If this lasts, the machine was retired: enrol it again.`);
    } else {
      this.world.log(`${what}: the server answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
    return { ok: false, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.world.now()) };
  }

  private tokenRefused(): void {
    if (this.refusedSince) return;
    this.refusedSince = new Date(this.world.now()).toISOString();
    writeStateFile(this.dir, TOKEN_REFUSED, this.refusedSince);
  }

  private tokenAccepted(): void {
    if (!this.refusedSince) return;
    this.refusedSince = null;
    fs.rmSync(path.join(this.dir, TOKEN_REFUSED), { force: true });
    this.world.log('the server accepts this machine\'s token again; the plan runs again');
  }

  /** final: a report's own deadline after a stop, used instead of the stop (see stopping()). */
  private request(method: string, route: string, body?: unknown, ifNoneMatch?: string, final?: AbortSignal): Promise<Response> {
    const stop = final ?? this.stop;
    return this.world.fetch(`${this.identity.server}${AGENT_API}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.identity.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: stop ? AbortSignal.any([stop, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
    });
  }
}

const REFUSAL_CODES = new Set(['bad_request', 'invalid_input', 'payload_too_large']);

/** True when a 4xx body is Depot's JSON error for bad input, not a page from something in between. */
export function isDepotRefusal(text: string): boolean {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && REFUSAL_CODES.has(code);
  } catch {
    return false;
  }
}

/** Facts that change by themselves (free memory and disk, uptime) do not count as a change. */
function stableHash(inventory: Inventory): string {
  const { uptimeSeconds: _u, memory, disks, ...rest } = inventory;
  const stable = { ...rest, memory: { totalBytes: memory.totalBytes }, disks: disks.map((d) => ({ mount: d.mount, sizeBytes: d.sizeBytes })) };
  return crypto.createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

const planEtagOf = (plan: Plan) => planEtag(plan.machineId, plan.version);
