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
}

export interface DownloadResult {
  path: string;
  /** Bytes fetched now (less than size after a resumed cut). */
  fetched: number;
  resumedFrom: number;
  /** Where the bytes came from (the x-depot-source header, else the URL's host). */
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

  let fetched = 0;
  if (have < o.size) {
    const res = await o.fetch(o.url, {
      headers: { authorization: `Bearer ${o.token}`, ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
      signal: o.signal,
    });
    if (res.status === 416) {
      // The server disagrees about what we have: start over next time.
      await res.body?.cancel();
      fs.rmSync(part, { force: true });
      throw new Error('the server refused to resume the download (416); starting over');
    }
    if (res.status !== 200 && res.status !== 206) {
      const text = await res.text().catch(() => '');
      throw new Error(`download of ${o.sha256.slice(0, 12)}… answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
    if (res.status === 200 && have > 0) {
      // The server ignored the Range: take the whole file from the start.
      await res.body?.cancel();
      hash.destroy();
      return downloadContent({ ...o, ...noResume(part) });
    }
    // Chunks are written as they are read, so a cut connection leaves on disk every byte that
    // arrived and the next try resumes right after it.
    let cutBy: unknown = null;
    const file = await fs.promises.open(part, have > 0 ? 'a' : 'w', 0o600);
    const reader = res.body!.getReader();
    try {
      for (;;) {
        let read: ReadableStreamReadResult<Uint8Array>;
        try {
          read = await reader.read();
        } catch (error) {
          cutBy = error;
          break;
        }
        if (read.done) break;
        if (have + fetched + read.value.length > o.size) {
          await reader.cancel().catch(() => undefined);
          throw new IntegrityError(`integrity failure: the content is larger than the manifest's ${o.size} bytes; the file was deleted`);
        }
        hash.update(read.value);
        await file.write(read.value);
        fetched += read.value.length;
      }
      await file.sync();
    } catch (error) {
      await file.close();
      if (error instanceof IntegrityError) fs.rmSync(part, { force: true });
      throw error;
    }
    await file.close();
    if (cutBy) throw new Error(`download cut at ${have + fetched} of ${o.size} bytes (${(cutBy as Error).message}); it resumes on the next try`);
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

function noResume(part: string): Partial<DownloadOptions> {
  fs.rmSync(part, { force: true });
  return {};
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
