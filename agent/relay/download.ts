import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RELAY_API } from '../../lib/contract/relay-api';

/** Why an upstream fetch failed; status is what a client waiting for it is answered (404 or 502). */
export class UpstreamError extends Error {
  constructor(
    readonly status: 404 | 502,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface DownloadOptions {
  sha256: string;
  /** Parent relay or managing server. */
  upstream: string;
  token: string;
  tmpPath: string;
  finalPath: string;
  fetch: typeof fetch;
  /** The size the caller already knows (a prefetch order's); the upstream must agree. */
  expectedSize?: number | null;
  /** An upstream that sends nothing for this long is cut. */
  idleMs: number;
  onBytes(n: number): void;
}

type State = 'connecting' | 'receiving' | 'done' | 'failed';

/**
 * One upstream fetch of one content into tmp/<sha>.<random>, shared by every client that asks for
 * it meanwhile. Bytes are hashed as they are written; readers follow `written` and wait on
 * changed(), which resolves at the next write or state change (an event, not a poll). Only when
 * the size and SHA-256 both match is the file fsynced and renamed into blobs/; anything else
 * deletes it and fails every reader.
 *
 *   upstream ──GET /api/relay/v1/content/<sha>──► tmp file ──verify──► rename into blobs/<sha>
 *                                                  │ written grows
 *                                                  ▼
 *                                 readers (clients) read up to `written`
 */
export class Download {
  state: State = 'connecting';
  /** Known once the upstream's headers arrive (ready resolves). */
  size = -1;
  /** Bytes on disk in the temporary file, readable through another file descriptor. */
  written = 0;
  error: Error | null = null;
  readonly ready: Promise<void>;
  readonly finished: Promise<void>;
  private readyHooks!: { resolve: () => void; reject: (e: Error) => void };
  private finishedHooks!: { resolve: () => void; reject: (e: Error) => void };
  private change = signal();
  private readonly abort = new AbortController();

  constructor(readonly options: DownloadOptions) {
    this.ready = new Promise((resolve, reject) => (this.readyHooks = { resolve, reject }));
    this.finished = new Promise((resolve, reject) => (this.finishedHooks = { resolve, reject }));
    // Nobody may be listening (a prefetch, a client that left): a failure is recorded, not thrown.
    this.ready.catch(() => undefined);
    this.finished.catch(() => undefined);
  }

  get sha256(): string {
    return this.options.sha256;
  }

  get tmpPath(): string {
    return this.options.tmpPath;
  }

  get finalPath(): string {
    return this.options.finalPath;
  }

  /** Resolves at the next write, success or failure. */
  changed(): Promise<void> {
    return this.change.promise;
  }

  /** Stops the fetch (the relay is stopping); readers fail, the temporary file is deleted. */
  cancel(reason: string): void {
    this.abort.abort(new UpstreamError(502, reason));
  }

  async run(): Promise<void> {
    const o = this.options;
    let file: fs.promises.FileHandle | undefined;
    let idle: NodeJS.Timeout | undefined;
    const cut = new AbortController();
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => cut.abort(new UpstreamError(502, `the upstream sent nothing for ${Math.round(o.idleMs / 1000)} s`)), o.idleMs);
    };
    try {
      file = await fs.promises.open(o.tmpPath, 'wx', 0o644);
      touch();
      const signal = AbortSignal.any([this.abort.signal, cut.signal]);
      let res: Response;
      try {
        res = await o.fetch(`${o.upstream}${RELAY_API}/content/${o.sha256}`, { headers: { authorization: `Bearer ${o.token}` }, signal });
      } catch (error) {
        throw signal.aborted ? signal.reason : new UpstreamError(502, `cannot reach ${o.upstream}: ${causeOf(error)}`);
      }
      if (res.status !== 200) {
        const text = await res.text().catch(() => '');
        throw new UpstreamError(res.status === 404 ? 404 : 502, `${o.upstream} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
      }
      this.size = this.checkHeaders(res.headers);
      this.state = 'receiving';
      this.readyHooks.resolve();
      this.notify();

      const hash = crypto.createHash('sha256');
      const reader = res.body!.getReader();
      try {
        for (;;) {
          let read: ReadableStreamReadResult<Uint8Array>;
          try {
            read = await reader.read();
          } catch (error) {
            throw signal.aborted ? signal.reason : new UpstreamError(502, `the upstream cut the transfer at ${this.written} of ${this.size} bytes (${causeOf(error)})`);
          }
          if (read.done) break;
          touch();
          const chunk = read.value;
          if (this.written + chunk.length > this.size) throw new UpstreamError(502, `the upstream sent more than the ${this.size} bytes it announced`);
          hash.update(chunk);
          let offset = 0;
          while (offset < chunk.length) {
            const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset, this.written + offset);
            offset += bytesWritten;
          }
          this.written += chunk.length;
          o.onBytes(chunk.length);
          this.notify();
        }
      } finally {
        reader.releaseLock();
      }
      if (this.written !== this.size) throw new UpstreamError(502, `the upstream's copy was cut: ${this.written} of ${this.size} bytes`);
      const actual = hash.digest('hex');
      if (actual !== o.sha256) throw new UpstreamError(502, `the upstream's copy is corrupt: its SHA-256 is ${actual}`);
      // Durable before it is visible under its final name: a crash never leaves a named half file.
      await file.sync();
      await file.close();
      file = undefined;
      await fs.promises.rename(o.tmpPath, o.finalPath);
      syncDir(path.dirname(o.finalPath));
      this.state = 'done';
      this.readyHooks.resolve();
      this.finishedHooks.resolve();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.error = failure;
      this.state = 'failed';
      await file?.close().catch(() => undefined);
      fs.rmSync(o.tmpPath, { force: true });
      this.readyHooks.reject(failure);
      this.finishedHooks.reject(failure);
    } finally {
      clearTimeout(idle);
      this.notify();
    }
  }

  /** The size from Content-Length; the content named by X-Content-Sha256 (or the ETag) must be the one asked for. */
  private checkHeaders(headers: Headers): number {
    const o = this.options;
    const named = headers.get('x-content-sha256') ?? headers.get('etag')?.replace(/^W\//, '').replace(/"/g, '');
    if (named && named !== o.sha256) throw new UpstreamError(502, `the upstream sent content ${named.slice(0, 12)}… instead of ${o.sha256.slice(0, 12)}…`);
    const length = headers.get('content-length');
    if (!length || !/^\d+$/.test(length)) throw new UpstreamError(502, 'the upstream did not say how large the content is (no Content-Length)');
    const size = Number(length);
    if (o.expectedSize != null && o.expectedSize !== size) throw new UpstreamError(502, `the upstream announced ${size} bytes, expected ${o.expectedSize}`);
    return size;
  }

  private notify(): void {
    const current = this.change;
    this.change = signal();
    current.resolve();
  }
}

/** A promise with its resolve, made anew for each change (Node 20 has no Promise.withResolvers). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function causeOf(error: unknown): string {
  const e = error as Error & { cause?: Error };
  return e.cause?.message ?? e.message ?? String(error);
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
