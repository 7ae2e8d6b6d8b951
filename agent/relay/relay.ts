import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatBytes } from '../../lib/format-bytes';
import { Authorizer } from './authorizer';
import { lockCacheDir } from './cache-lock';
import { ContentCache } from './content-cache';
import { Heartbeat } from './heartbeat';
import type { RelayOptions } from './options';
import { newStats, type RelayStats } from './relay-stats';
import { createRequestHandler } from './request-handler';
import type { RelayWorld } from './world';

export interface RelayTuning {
  /** An upstream that sends nothing for this long is cut (default 60 s). */
  idleMs?: number;
  /** How long a positive authorization is trusted (default 60 s). */
  authTtlMs?: number;
}

/**
 * One depot-relay: the cache, the HTTP server in front of it and the heartbeat behind it.
 * Nothing starts on construction; start() listens, runHeartbeat() loops, stop() ends both.
 */
export class Relay {
  readonly stats: RelayStats;
  readonly cache: ContentCache;
  readonly authorizer: Authorizer;
  readonly heartbeat: Heartbeat;
  private readonly server: http.Server;
  private readonly active = new Set<http.ServerResponse>();
  private readonly stopHeartbeat = new AbortController();
  private heartbeatLoop: Promise<void> | null = null;
  private unlock: (() => void) | null = null;
  private address: AddressInfo | null = null;
  private stopping = false;

  constructor(
    private readonly options: RelayOptions,
    private readonly world: RelayWorld,
    private readonly version: string,
    tuning: RelayTuning = {},
  ) {
    this.stats = newStats(world.now());
    this.cache = new ContentCache({ dir: options.cacheDir, upstream: options.upstream, token: options.token, limitBytes: options.cacheSizeBytes, idleMs: tuning.idleMs }, world, this.stats);
    this.authorizer = new Authorizer({ server: options.server, fetch: world.fetch, now: world.now, ttlMs: tuning.authTtlMs });
    this.heartbeat = new Heartbeat(
      { server: options.server, token: options.token, heartbeatMs: options.heartbeatMs, maxClients: options.maxClients, cacheDir: options.cacheDir, cacheLimitBytes: options.cacheSizeBytes, version },
      this.cache,
      this.stats,
      world,
    );
    this.server = http.createServer(
      createRequestHandler({
        cache: this.cache,
        authorizer: this.authorizer,
        stats: this.stats,
        maxClients: options.maxClients,
        cacheLimitBytes: options.cacheSizeBytes,
        tokenHash: crypto.createHash('sha256').update(options.token).digest(),
        version,
        random: world.random,
        revoked: () => this.heartbeat.revoked,
        stopping: () => this.stopping,
        active: this.active,
      }),
    );
  }

  /** The base URL it listens on (after start). */
  get url(): string {
    if (!this.address) throw new Error('the relay is not listening');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  async start(): Promise<void> {
    this.unlock = lockCacheDir(this.options.cacheDir);
    try {
      const { removedTmp, blobs } = this.cache.init();
      if (removedTmp) this.world.log(`removed ${removedTmp} unfinished download(s) left in ${this.options.cacheDir}/tmp by an earlier run`);
      this.world.log(`cache ${this.options.cacheDir}: ${blobs} content(s), ${formatBytes(this.cache.usedBytes())} of ${formatBytes(this.options.cacheSizeBytes)}`);
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.options.listen.port, this.options.listen.host, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.unlock();
      this.unlock = null;
      throw error;
    }
    this.address = this.server.address() as AddressInfo;
  }

  /** Starts the heartbeat loop (the first beat goes out at once). */
  runHeartbeat(): void {
    this.heartbeatLoop ??= this.heartbeat.run(this.stopHeartbeat.signal);
  }

  /**
   * Stops accepting connections, lets the responses in flight finish for up to graceMs, then cuts
   * what is left, cancels the upstream fetches (their temporary files are deleted) and saves the
   * last-use index.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    this.stopHeartbeat.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const finished = Promise.all([...this.active].map((res) => new Promise<void>((resolve) => (res.closed ? resolve() : res.once('close', () => resolve())))));
    const late = await Promise.race([finished.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)))]);
    clearTimeout(timer);
    if (late) this.world.log(`stopping: ${this.active.size} download(s) still running after ${Math.round(graceMs / 1000)} s were cut`);
    this.server.closeAllConnections();
    await closed;
    this.heartbeat.halt();
    await this.cache.cancelAll('the relay is stopping');
    await this.heartbeatLoop?.catch(() => undefined);
    // Orders finishing now (a delete whose downloads were just cut) still get their outcome saved.
    await Promise.race([this.heartbeat.ordersSettled(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    this.cache.flushUsage();
    this.unlock?.();
    this.unlock = null;
  }
}
