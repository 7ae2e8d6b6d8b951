import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The content did not match its manifest: the file is deleted and nothing runs. */
export class IntegrityError extends Error {}

export interface DownloadOptions {
  url: string;
  token: string;
  sha256: string;
  size: number;
  /** The agent's download folder; the file ends as <dir>/<sha256>. */
  dir: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** A download that receives nothing for this long is cut (and resumes on the next try). */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  /** Bytes fetched now (less than size after a resumed cut). */
  fetched: number;
  resumedFrom: number;
  /** Where the bytes came from: the server's host, or "cache". */
  source: string;
}

/**
 * Downloads package content to <dir>/<sha256>.part, resuming an earlier cut with Range, and
 * renames it into place only after its size and SHA-256 match the manifest. A mismatch deletes
 * the partial file (it can never become valid by appending) and throws IntegrityError.
 */
export async function downloadContent(o: DownloadOptions): Promise<DownloadResult> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const final = path.join(o.dir, o.sha256);
  const part = `${final}.part`;
  if (fs.existsSync(final)) return { path: final, fetched: 0, resumedFrom: o.size, source: 'cache' };

  let have = sizeOf(part);
  if (have > o.size) {
    fs.rmSync(part, { force: true });
    have = 0;
  }
  const hash = crypto.createHash('sha256');
  if (have > 0) await pipeline(fs.createReadStream(part, { end: have - 1 }), hash, { end: false });

  // A stalled connection must not hold the agent forever: the timer restarts with every chunk.
  const idle = new AbortController();
  const idleMs = o.idleTimeoutMs ?? 60_000;
  let timer = setTimeout(() => idle.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  let fetched = 0;
  try {
    if (have < o.size) {
      const res = await o.fetch(o.url, {
        headers: { authorization: `Bearer ${o.token}`, ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
        signal: o.signal ? AbortSignal.any([o.signal, idle.signal]) : idle.signal,
      });
      if (res.status !== 200 && res.status !== 206) {
        const text = await res.text().catch(() => '');
        // 416: the server disagrees about what we have; start over next time.
        if (res.status === 416) fs.rmSync(part, { force: true });
        throw new Error(`download of ${o.sha256.slice(0, 12)}… answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
      }
      const range = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      if ((res.status === 200 && have > 0) || (res.status === 206 && Number(range?.[1]) !== have)) {
        // The server sent the whole file (or another range than asked): start from the beginning.
        await res.body?.cancel();
        hash.destroy();
        fs.rmSync(part, { force: true });
        return downloadContent(o);
      }
      fetched = await appendBody(res, part, have, o.size, hash, touch);
    }
  } finally {
    clearTimeout(timer);
  }
  const total = have + fetched;
  if (total !== o.size) throw new Error(`download cut at ${total} of ${o.size} bytes; it resumes on the next try`);
  const actual = hash.digest('hex');
  if (actual !== o.sha256) {
    fs.rmSync(part, { force: true });
    throw new IntegrityError(`integrity failure: the content's SHA-256 is ${actual}, the manifest says ${o.sha256}; the file was deleted`);
  }
  fs.renameSync(part, final);
  return { path: final, fetched, resumedFrom: have, source: new URL(o.url).host };
}

/**
 * Appends the response body to the part file as it is read, so a cut connection leaves on disk
 * every byte that arrived and the next try resumes right after it. Returns the bytes appended.
 */
async function appendBody(res: Response, part: string, have: number, size: number, hash: crypto.Hash, touch: () => void): Promise<number> {
  const reader = res.body!.getReader();
  let fetched = 0;
  let cutBy: unknown = null;
  let file: fs.promises.FileHandle | undefined;
  try {
    file = await fs.promises.open(part, have > 0 ? 'a' : 'w', 0o600);
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        cutBy = error;
        break;
      }
      if (read.done) break;
      touch();
      if (have + fetched + read.value.length > size) {
        throw new IntegrityError(`integrity failure: the content is larger than the manifest's ${size} bytes; the file was deleted`);
      }
      hash.update(read.value);
      await file.write(read.value);
      fetched += read.value.length;
    }
    await file.sync();
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    await file?.close();
    if (error instanceof IntegrityError) fs.rmSync(part, { force: true });
    throw error;
  }
  await file.close();
  if (cutBy) throw new Error(`download cut at ${have + fetched} of ${size} bytes (${(cutBy as Error).message}); it resumes on the next try`);
  return fetched;
}

/** Re-reads a stored download and checks it against the manifest before anything runs it. */
export async function verifyFile(file: string, sha256: string, size: number): Promise<void> {
  const actualSize = fs.statSync(file).size;
  if (actualSize !== size) throw new IntegrityError(`integrity failure: the stored file has ${actualSize} bytes, the manifest says ${size}; the file was deleted`);
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  const actual = hash.digest('hex');
  if (actual !== sha256) throw new IntegrityError(`integrity failure: the stored file's SHA-256 is ${actual}, the manifest says ${sha256}; the file was deleted`);
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
