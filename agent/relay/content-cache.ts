import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { HeldContent } from '../../lib/contract/relay-api';
import { formatBytes } from '../../lib/format-bytes';
import { Download } from './download';
import type { RelayStats } from './relay-stats';
import { readStateFile, writeStateFile } from '../shared/state-file';
import type { RelayWorld } from './world';

export interface CacheOptions {
  dir: string;
  upstream: string;
  token: string;
  limitBytes: number;
  /** An upstream that sends nothing for this long is cut. */
  idleMs?: number;
}

export type Found = { kind: 'blob'; size: number; path: string } | { kind: 'download'; download: Download };

const SHA = /^[0-9a-f]{64}$/;
const usageSchema = z.record(z.string().regex(SHA), z.number());

/**
 * The relay's cache directory:
 *
 *   DIR/blobs/<sha256>          finished, verified content (only ever renamed in whole)
 *   DIR/tmp/<sha256>.<random>   downloads in progress (all deleted at start)
 *   DIR/usage.json              when each content was last served, for least-recently-used eviction
 *
 * Last use lives in a small index rather than in file times: atime is off or lazy on most
 * mounts (noatime, relatime), and touching mtime on every request costs a metadata write per
 * download and is undone by any backup or copy tool. The index is written atomically on each
 * heartbeat and at stop; a crash loses at most one heartbeat's worth of recency, which only
 * shifts what is evicted first. A content never served falls back to its file's mtime, the time
 * it was stored.
 *
 * Content in use (being served, or being fetched) is never evicted or deleted: `acquire` counts
 * the responses using each content, and deletion waits for the count to reach zero.
 */
export class ContentCache {
  private readonly blobs = new Map<string, { size: number; storedAt: number }>();
  private readonly lastUsed = new Map<string, number>();
  private readonly downloads = new Map<string, Download>();
  private readonly users = new Map<string, number>();
  private readonly idleWaiters = new Map<string, (() => void)[]>();
  private readonly deleting = new Set<string>();
  private pinned = new Set<string>();
  private usageDirty = false;

  constructor(
    private readonly o: CacheOptions,
    private readonly world: RelayWorld,
    private readonly stats: RelayStats,
  ) {}

  private get blobDir(): string {
    return path.join(this.o.dir, 'blobs');
  }

  private get tmpDir(): string {
    return path.join(this.o.dir, 'tmp');
  }

  private get usageFile(): string {
    return path.join(this.o.dir, 'usage.json');
  }

  blobPath(sha256: string): string {
    return path.join(this.blobDir, sha256);
  }

  /**
   * Deletes every download a killed relay left half done (never served, never resumed: it could
   * not be verified without its hash state), then lists the finished content.
   */
  init(): { removedTmp: number; blobs: number } {
    fs.mkdirSync(this.o.dir, { recursive: true, mode: 0o755 });
    let removedTmp = 0;
    try {
      removedTmp = fs.readdirSync(this.tmpDir).length;
    } catch {
      // no tmp dir yet
    }
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
    fs.mkdirSync(this.blobDir, { recursive: true });
    for (const entry of fs.readdirSync(this.blobDir, { withFileTypes: true })) {
      if (!entry.isFile() || !SHA.test(entry.name)) continue;
      const stat = fs.statSync(path.join(this.blobDir, entry.name));
      this.blobs.set(entry.name, { size: stat.size, storedAt: stat.mtimeMs });
    }
    for (const [sha, at] of Object.entries(readStateFile(this.usageFile, usageSchema) ?? {})) {
      if (this.blobs.has(sha)) this.lastUsed.set(sha, at);
    }
    return { removedTmp, blobs: this.blobs.size };
  }

  /** What a request for this content would be served from now: the finished file, a running fetch, or nothing yet. */
  find(sha256: string): Found | null {
    const download = this.downloads.get(sha256);
    if (download) return { kind: 'download', download };
    const blob = this.blobs.get(sha256);
    return blob ? { kind: 'blob', size: blob.size, path: this.blobPath(sha256) } : null;
  }

  has(sha256: string): boolean {
    return this.blobs.has(sha256);
  }

  /** Counts one user of the content until the returned release is called (once). */
  acquire(sha256: string): () => void {
    this.users.set(sha256, (this.users.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.users.get(sha256) ?? 1) - 1;
      if (left > 0) this.users.set(sha256, left);
      else {
        this.users.delete(sha256);
        this.wakeIdle(sha256);
      }
    };
  }

  markUsed(sha256: string): void {
    this.lastUsed.set(sha256, this.world.now());
    this.usageDirty = true;
  }

  /** The running fetch of this content, or a new one: there is never more than one per content. */
  fetch(sha256: string, expectedSize: number | null = null): Download {
    const running = this.downloads.get(sha256);
    if (running) return running;
    const download = new Download({
      sha256,
      upstream: this.o.upstream,
      token: this.o.token,
      tmpPath: path.join(this.tmpDir, `${sha256}.${crypto.randomBytes(6).toString('hex')}`),
      finalPath: this.blobPath(sha256),
      expectedSize,
      idleMs: this.o.idleMs ?? 60_000,
      onBytes: (n) => (this.stats.bytesFetched += n),
    });
    this.downloads.set(sha256, download);
    this.world.log(`fetching ${sha256.slice(0, 12)}… from ${this.o.upstream}`);
    void download.run().then(() => {
      // Same tick as the rename's completion: a request sees the download or the blob, never neither.
      this.downloads.delete(sha256);
      if (download.state === 'done') {
        this.blobs.set(sha256, { size: download.size, storedAt: this.world.now() });
        this.world.log(`stored ${sha256.slice(0, 12)}… (${formatBytes(download.size)}, SHA-256 verified)`);
        this.evict();
      } else {
        this.stats.lastError = `${new Date(this.world.now()).toISOString()} fetching ${sha256.slice(0, 12)}…: ${download.error?.message}`;
        this.world.log(`fetch of ${sha256.slice(0, 12)}… failed, the partial copy was deleted: ${download.error?.message}`);
      }
      this.wakeIdle(sha256);
    });
    return download;
  }

  /** Fetches content ahead of need (a prefetch order); resolves when it is stored and verified. */
  async prefetch(sha256: string, size: number): Promise<void> {
    if (this.blobs.has(sha256) && !this.downloads.has(sha256)) return;
    const download = this.fetch(sha256, size);
    await download.finished;
  }

  /**
   * Deletes the content once no response is using it and no fetch of it is running (a delete
   * order: the downloads running now finish first). Requests that start meanwhile are served
   * from the file too and are waited for as well.
   */
  async remove(sha256: string): Promise<boolean> {
    this.deleting.add(sha256);
    try {
      for (;;) {
        const download = this.downloads.get(sha256);
        if (download) {
          await download.finished.catch(() => undefined);
          await this.idle(sha256, () => !this.downloads.has(sha256));
          continue;
        }
        if (this.users.has(sha256)) {
          await this.idle(sha256, () => !this.users.has(sha256));
          continue;
        }
        break;
      }
      return this.drop(sha256);
    } finally {
      this.deleting.delete(sha256);
    }
  }

  /** Content an unfinished job still needs, from the server's latest heartbeat answer. */
  setPinned(list: readonly string[]): void {
    this.pinned = new Set(list);
  }

  get pinnedList(): string[] {
    return [...this.pinned];
  }

  /** Finished content plus the announced size of running fetches (they are about to land). */
  usedBytes(): number {
    let used = 0;
    for (const b of this.blobs.values()) used += b.size;
    for (const d of this.downloads.values()) used += Math.max(0, d.size);
    return used;
  }

  /**
   * Over the size limit: deletes the least recently used content that is not pinned, not being
   * served or fetched, and not already being deleted, until the cache fits. Returns what went.
   */
  evict(): string[] {
    let over = this.usedBytes() - this.o.limitBytes;
    if (over <= 0) return [];
    const candidates = [...this.blobs.entries()]
      .filter(([sha]) => !this.pinned.has(sha) && !this.users.has(sha) && !this.downloads.has(sha) && !this.deleting.has(sha))
      .sort(([a, x], [b, y]) => (this.lastUsed.get(a) ?? x.storedAt) - (this.lastUsed.get(b) ?? y.storedAt));
    const evicted: string[] = [];
    for (const [sha, blob] of candidates) {
      if (over <= 0) break;
      if (!this.drop(sha)) continue;
      over -= blob.size;
      evicted.push(sha);
      this.world.log(`evicted ${sha.slice(0, 12)}… (${formatBytes(blob.size)}, least recently used) to stay within ${formatBytes(this.o.limitBytes)}`);
    }
    if (over > 0) this.world.log(`the cache is ${formatBytes(over)} over its limit, and everything left is pinned by unfinished jobs or in use`);
    return evicted;
  }

  /** Everything finished, for the heartbeat (downloads in progress are not listed). */
  held(): HeldContent[] {
    return [...this.blobs.entries()].map(([sha256, b]) => {
      const used = this.lastUsed.get(sha256);
      return { sha256, size: b.size, lastUsedAt: used === undefined ? null : new Date(used).toISOString() };
    });
  }

  /** Writes the last-use index if it changed. */
  flushUsage(): void {
    if (!this.usageDirty) return;
    this.usageDirty = false;
    const usage: Record<string, number> = {};
    for (const [sha, at] of this.lastUsed) if (this.blobs.has(sha)) usage[sha] = at;
    writeStateFile(this.usageFile, JSON.stringify(usage));
  }

  /** Cancels every running fetch (the relay is stopping); their temporary files are deleted. */
  async cancelAll(reason: string): Promise<void> {
    const running = [...this.downloads.values()];
    for (const d of running) d.cancel(reason);
    await Promise.all(running.map((d) => d.finished.catch(() => undefined)));
  }

  /**
   * Removes the file synchronously, so that a fetch of the same content finishing a moment later
   * can never have its fresh file removed by this older deletion.
   */
  private drop(sha256: string): boolean {
    if (!this.blobs.has(sha256)) return false;
    try {
      fs.rmSync(this.blobPath(sha256), { force: true });
    } catch (error) {
      this.stats.lastError = `${new Date(this.world.now()).toISOString()} deleting ${sha256.slice(0, 12)}…: ${(error as Error).message}`;
      throw error;
    }
    this.blobs.delete(sha256);
    if (this.lastUsed.delete(sha256)) this.usageDirty = true;
    return true;
  }

  private idle(sha256: string, done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.idleWaiters.get(sha256) ?? [];
      list.push(resolve);
      this.idleWaiters.set(sha256, list);
    });
  }

  private wakeIdle(sha256: string): void {
    const list = this.idleWaiters.get(sha256);
    if (!list) return;
    this.idleWaiters.delete(sha256);
    for (const wake of list) wake();
  }
}
