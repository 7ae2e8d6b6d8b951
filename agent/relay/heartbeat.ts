import path from 'node:path';
import { z } from 'zod';
import { heartbeatResponseSchema, orderOutcomeSchema, RELAY_API, type HeartbeatRequest, type OrderOutcome, type RelayOrderMessage } from '../../lib/contract/relay-api';
import { sha256Schema } from '../../lib/contract/package-manifest';
import type { ContentCache } from './content-cache';
import type { RelayStats } from './relay-stats';
import { readStateFile, writeStateFile } from '../shared/state-file';
import type { RelayWorld } from './world';
import { sendingPath } from './native-sendfile';

export interface HeartbeatOptions {
  server: string;
  token: string;
  /** The operator's longest interval (--heartbeat), or null to follow the server. */
  heartbeatMs: number | null;
  maxClients: number;
  cacheDir: string;
  cacheLimitBytes: number;
  version: string;
}

export interface BeatResult {
  ok: boolean;
  status?: number;
  retryAfterMs?: number;
}

/** Until the server's first answer says how often. */
const FIRST_INTERVAL_MS = 30_000;

/** Capped exponential back-off with full jitter, like the agent's. */
export const BACKOFF = { baseMs: 5_000, capMs: 5 * 60_000 } as const;

const stateSchema = z.object({ outcomes: z.array(orderOutcomeSchema), pinned: z.array(sha256Schema) });

/**
 * The relay's side of POST /api/relay/v1/heartbeat: reports what it holds, its disk and health
 * and the outcome of each order it carried out; applies the answer (pinned content, new orders).
 *
 * Outcomes stay in relay-state.json until a heartbeat that carried them is answered 200, so a
 * lost answer or a restart reports them again (the server treats a repeat as a no-op). Orders
 * run in the background: a prefetch may take longer than a heartbeat period, and an order the
 * server repeats while it runs is not started twice.
 *
 * A 401 means the relay's token was revoked: the relay stops serving (every content request
 * answers 401 with a message saying so) but keeps its cache and keeps sending heartbeats with
 * back-off rather than exiting. Exiting would make a service manager restart it in a loop, and a
 * 401 is not always final (a database restored from a backup taken before the revocation, a
 * proxy briefly misconfigured): the first accepted heartbeat puts it back in service. Machines
 * fall back to the managing server on the 401 either way.
 */
export class Heartbeat {
  revoked = false;
  private outcomes: OrderOutcome[];
  private readonly running = new Map<string, Promise<void>>();
  private intervalMs: number;
  private failures = 0;
  /** The relay is stopping: an order cut by the stop has no outcome (the server repeats it after the restart). */
  private halted = false;
  private readonly stateFile: string;

  constructor(
    private readonly o: HeartbeatOptions,
    private readonly cache: ContentCache,
    private readonly stats: RelayStats,
    private readonly world: RelayWorld,
  ) {
    this.intervalMs = o.heartbeatMs ?? FIRST_INTERVAL_MS;
    this.stateFile = path.join(o.cacheDir, 'relay-state.json');
    const saved = readStateFile(this.stateFile, stateSchema);
    this.outcomes = saved?.outcomes ?? [];
    cache.setPinned(saved?.pinned ?? []);
  }

  /** Outcomes not yet acknowledged by the server. */
  get pendingOutcomes(): readonly OrderOutcome[] {
    return this.outcomes;
  }

  /** Called by a stop before it cancels the fetches: what they cut is not a failure to report. */
  halt(): void {
    this.halted = true;
  }

  /** Resolves when every order started so far has its outcome (for tests and a clean stop). */
  async ordersSettled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  /** The loop: a beat now, then every heartbeatSeconds (±10 %), backing off while beats fail. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let result: BeatResult;
      try {
        result = await this.beat(signal);
      } catch (error) {
        if (signal.aborted) break;
        this.world.log(`heartbeat failed: ${(error as Error).message}`);
        result = { ok: false };
      }
      this.failures = result.ok ? 0 : this.failures + 1;
      await this.world.sleep(this.nextDelay(result), signal);
    }
  }

  nextDelay(result: BeatResult): number {
    if (result.ok) return Math.round(this.intervalMs * (0.9 + 0.2 * this.world.random()));
    const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, this.failures - 1));
    return Math.max(Math.round(this.world.random() * ceiling), Math.min(result.retryAfterMs ?? 0, 60 * 60_000));
  }

  async beat(signal?: AbortSignal): Promise<BeatResult> {
    this.cache.flushUsage();
    const sent = [...this.outcomes];
    const body: HeartbeatRequest = {
      diskFreeBytes: await this.world.diskFree(this.o.cacheDir).catch(() => 0),
      cacheUsedBytes: this.cache.usedBytes(),
      cacheLimitBytes: this.o.cacheLimitBytes,
      held: this.cache.held(),
      orders: sent,
      health: {
        version: this.o.version.slice(0, 64),
        startedAt: this.stats.startedAt,
        activeClients: this.stats.activeClients,
        maxClients: this.o.maxClients,
        bytesServed: this.stats.bytesServed,
        bytesFetched: this.stats.bytesFetched,
        refused: this.stats.refused,
        lastError: this.stats.lastError?.slice(0, 2000) ?? null,
        sending: sendingPath(),
      },
    };
    let res: Response;
    try {
      const timeout = AbortSignal.timeout(30_000);
      res = await this.world.fetch(`${this.o.server}${RELAY_API}/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as Error & { cause?: Error }).cause;
      this.world.log(`heartbeat: cannot reach ${this.o.server}: ${cause?.message ?? (error as Error).message}`);
      this.cache.evict();
      return { ok: false };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401) {
      if (!this.revoked) this.world.log(`heartbeat: the managing server refused this relay's token (401): it was revoked. Serving nothing until it is accepted again; register the relay again on the Relays page and restart with the new token.`);
      this.revoked = true;
      return { ok: false, status: 401 };
    }
    if (res.status !== 200) {
      this.world.log(`heartbeat: the managing server answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
      this.cache.evict();
      return { ok: false, status: res.status, retryAfterMs: retryAfter(res.headers.get('retry-after')) };
    }
    const answer = heartbeatResponseSchema.parse(JSON.parse(text));
    if (this.revoked) this.world.log('heartbeat: the managing server accepts this relay again; serving');
    this.revoked = false;
    // The server's interval is what its online test and orders count on; an operator may ask
    // for more often (orders carried out sooner), never less.
    this.intervalMs = Math.min(answer.heartbeatSeconds * 1000, this.o.heartbeatMs ?? Infinity);
    const acknowledged = new Set(sent);
    this.outcomes = this.outcomes.filter((o) => !acknowledged.has(o));
    this.cache.setPinned(answer.pinned);
    this.save();
    for (const order of answer.orders) this.start(order);
    this.cache.evict();
    return { ok: true, status: 200 };
  }

  private start(order: RelayOrderMessage): void {
    if (this.running.has(order.orderId) || this.outcomes.some((o) => o.orderId === order.orderId)) return;
    const short = `${order.sha256.slice(0, 12)}…`;
    this.world.log(`order ${order.orderId}: ${order.kind} ${short}`);
    const work = (async () => {
      let outcome: OrderOutcome;
      try {
        if (order.kind === 'delete') await this.cache.remove(order.sha256);
        else await this.cache.prefetch(order.sha256, order.size);
        outcome = { orderId: order.orderId, state: 'done', error: null };
        this.world.log(`order ${order.orderId}: ${order.kind} ${short} done`);
      } catch (error) {
        if (this.halted) {
          this.running.delete(order.orderId);
          return;
        }
        outcome = { orderId: order.orderId, state: 'failed', error: (error as Error).message.slice(0, 2000) };
        this.world.log(`order ${order.orderId}: ${order.kind} ${short} failed: ${(error as Error).message}`);
      }
      this.outcomes.push(outcome);
      this.save();
      this.running.delete(order.orderId);
    })();
    this.running.set(order.orderId, work);
  }

  private save(): void {
    writeStateFile(this.stateFile, JSON.stringify({ outcomes: this.outcomes, pinned: this.cache.pinnedList }));
  }
}

function retryAfter(header: string | null): number | undefined {
  return header && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : undefined;
}
