import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@/lib/errors';
import { formatBytes } from '@/lib/format-bytes';

async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface TempContent {
  tempPath: string;
  sha256: string;
  size: number;
}

/**
 * Package content on disk, addressed by SHA-256: `blobs/ab/abcdef…`. Content is streamed into a
 * temporary file while it is hashed (never held in memory), fsynced, and renamed into place, so
 * a reader sees a whole file or none. Which blobs exist is decided by the content_blobs rows;
 * this class only moves files.
 */
export class ContentStore {
  readonly tempDir: string;

  constructor(readonly root: string) {
    this.tempDir = path.join(root, 'tmp');
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Streams source into a temp file, hashing as it goes; refuses past maxBytes with 413. */
  async writeTemp(source: Readable, maxBytes: number): Promise<TempContent> {
    await fsp.mkdir(this.tempDir, { recursive: true });
    const tempPath = path.join(this.tempDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}.part`);
    const hash = crypto.createHash('sha256');
    let size = 0;
    // Large buffers let hashing (this thread) and disk writes (the thread pool) overlap instead
    // of taking turns 16 KiB at a time.
    const meter = new Transform({
      highWaterMark: 4 * 1024 * 1024,
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) {
          done(new AppError('payload_too_large', { field: 'file', message: `file: expected at most ${formatBytes(maxBytes)}` }));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const out = fs.createWriteStream(tempPath, { flags: 'wx', mode: 0o640, highWaterMark: 4 * 1024 * 1024 });
    try {
      await pipeline(source, meter, out);
      const fd = await fsp.open(tempPath, 'r');
      try {
        await fd.sync();
      } finally {
        await fd.close();
      }
    } catch (error) {
      // The file may still be opening when the source fails: removing it before the stream has
      // closed would let the open re-create it afterwards.
      if (!out.closed) await once(out, 'close').catch(() => {});
      await fsp.rm(tempPath, { force: true });
      throw error;
    }
    return { tempPath, sha256: hash.digest('hex'), size };
  }

  /** Moves a temp file into place; returns whether this call created the blob file. */
  async commit(temp: TempContent): Promise<boolean> {
    const finalPath = this.pathOf(temp.sha256);
    if (fs.existsSync(finalPath)) {
      await fsp.rm(temp.tempPath, { force: true }); // identical content is stored once
      return false;
    }
    const dir = path.dirname(finalPath);
    const created = await fsp.mkdir(dir, { recursive: true });
    await fsp.rename(temp.tempPath, finalPath);
    // The rename is durable only once its directory is synced; the package row that follows is
    // committed durably, so a power cut must not leave the row without its file.
    await syncDir(dir);
    if (created) await syncDir(path.dirname(dir));
    return true;
  }

  async discard(temp: TempContent | undefined): Promise<void> {
    if (temp) await fsp.rm(temp.tempPath, { force: true });
  }

  async remove(sha256: string): Promise<void> {
    await fsp.rm(this.pathOf(sha256), { force: true });
  }

  /** The SHA-256 of every blob file in the store. */
  async listBlobs(): Promise<string[]> {
    const prefixes = await fsp.readdir(this.root).catch(() => [] as string[]);
    const all: string[] = [];
    for (const prefix of prefixes.filter((p) => /^[0-9a-f]{2}$/.test(p))) {
      for (const name of await fsp.readdir(path.join(this.root, prefix))) if (/^[0-9a-f]{64}$/.test(name) && name.startsWith(prefix)) all.push(name);
    }
    return all;
  }

  /** Removes temp files older than maxAgeMs (uploads cut off by a crash); newer ones may be in flight on another server. */
  async sweepTemp(maxAgeMs = 24 * 3600 * 1000, now = Date.now()): Promise<number> {
    let removed = 0;
    const entries = await fsp.readdir(this.tempDir).catch(() => [] as string[]);
    for (const name of entries) {
      const full = path.join(this.tempDir, name);
      const stat = await fsp.stat(full).catch(() => undefined);
      if (stat && now - stat.mtimeMs > maxAgeMs) {
        await fsp.rm(full, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

const GLOBAL_KEY = Symbol.for('depot.contentStore');
type GlobalWithStore = typeof globalThis & { [GLOBAL_KEY]?: { store: ContentStore; maxBytes: number } };

/** The process's store, set by server.ts beside the database (Next's bundle and server.ts share it). */
export function setProcessContentStore(store: ContentStore, maxBytes: number): void {
  (globalThis as GlobalWithStore)[GLOBAL_KEY] = { store, maxBytes };
}

export function getProcessContentStore(): { store: ContentStore; maxBytes: number } {
  const entry = (globalThis as GlobalWithStore)[GLOBAL_KEY];
  if (!entry) throw new Error('Depot has no content store in this process: start it with server.ts (npm start).');
  return entry;
}
