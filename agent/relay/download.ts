import fs from 'node:fs';
import path from 'node:path';
import { RELAY_API } from '../../lib/contract/relay-api';
import { AnswerError, CutError, receiveContent } from './receive-content';

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
  /** The size the caller already knows (a prefetch order's); the upstream must agree. */
  expectedSize?: number | null;
  /** An upstream that sends nothing for this long is cut. */
  idleMs: number;
  onBytes(n: number): void;
}

type State = 'connecting' | 'receiving' | 'done' | 'failed';

/**
 * One upstream fetch of one content into tmp/<sha>.<random>, shared by every client that asks for
 * it meanwhile. The bytes come through receiveContent (its own connection, hashed as they arrive,
 * see there for why not fetch); readers follow `written` and wait on changed(), which resolves at
 * the next write or state change (an event, not a poll). Only when the size and SHA-256 both
 * match is the file fsynced and renamed into blobs/; anything else deletes it and fails every
 * reader.
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
    const cut = new AbortController();
    // One timer for the whole fetch, pushed back whenever bytes arrive (refresh, not a new timer each time).
    const idle = setTimeout(() => cut.abort(new UpstreamError(502, `the upstream sent nothing for ${Math.round(o.idleMs / 1000)} s`)), o.idleMs);
    try {
      file = await fs.promises.open(o.tmpPath, 'wx', 0o644);
      const signal = AbortSignal.any([this.abort.signal, cut.signal]);
      let actual: string;
      try {
        actual = await receiveContent({
          url: `${o.upstream}${RELAY_API}/content/${o.sha256}`,
          headers: { authorization: `Bearer ${o.token}` },
          signal,
          file,
          accept: (head) => {
            this.size = this.checkHeaders(head.headers);
            this.state = 'receiving';
            this.readyHooks.resolve();
            this.notify();
            return this.size;
          },
          onData: () => idle.refresh(),
          onStored: (n) => {
            this.written += n;
            o.onBytes(n);
            this.notify();
          },
        });
      } catch (error) {
        throw this.upstreamError(error, signal);
      }
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

  /** What a failed receive means for the clients waiting on it: 404 only when the upstream said so. */
  private upstreamError(error: unknown, signal: AbortSignal): Error {
    const o = this.options;
    if (signal.aborted) return signal.reason as Error;
    if (error instanceof UpstreamError) return error;
    if (error instanceof AnswerError) return new UpstreamError(error.statusCode === 404 ? 404 : 502, `${o.upstream} answered ${error.statusCode}${error.text ? `: ${error.text.slice(0, 200)}` : ''}`);
    if (error instanceof CutError) return new UpstreamError(502, `the upstream's copy was cut: ${error.received} of ${error.size} bytes`);
    if (this.state === 'connecting') return new UpstreamError(502, `cannot reach ${o.upstream}: ${causeOf(error)}`);
    return new UpstreamError(502, `the upstream cut the transfer at ${this.written} of ${this.size} bytes (${causeOf(error)})`);
  }

  /** The size from Content-Length; the content named by X-Content-Sha256 (or the ETag) must be the one asked for. */
  private checkHeaders(headers: Record<string, string>): number {
    const o = this.options;
    const named = headers['x-content-sha256'] ?? headers.etag?.replace(/^W\//, '').replace(/"/g, '');
    if (named && named !== o.sha256) throw new UpstreamError(502, `the upstream sent content ${named.slice(0, 12)}… instead of ${o.sha256.slice(0, 12)}…`);
    const length = headers['content-length'];
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
