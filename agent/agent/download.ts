import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AGENT_API } from '../../lib/contract/agent-api';
import type { FailedRelays } from './failed-relays';

/** The content did not match its manifest: the file is deleted and nothing runs. */
export class IntegrityError extends Error {}

/** A relay system to try before the managing server (the plan's contentSources, nearest first). */
export interface RelaySource {
  name: string;
  /** The relay's base URL; content is at <url>/api/agent/v1/content/<sha256>. */
  url: string;
}

/** How patient the agent is with each source: the agent's options, injected in tests. */
export interface DownloadTuning {
  /** A relay that has not sent its response headers after this long is passed over (default 5 s). */
  relayTimeoutMs?: number;
  /** How long a relay that failed is passed over by later downloads (default 5 min). */
  relayRestMs?: number;
  /** A download that receives nothing for this long is cut (default 60 s); from the server, also the wait for its headers. */
  idleTimeoutMs?: number;
}

export interface DownloadOptions extends Omit<DownloadTuning, 'relayRestMs'> {
  /** The managing server's content URL: the last source, and the only one when there are no relays. */
  url: string;
  /** Relays to try first, nearest first. */
  relays?: RelaySource[];
  token: string;
  sha256: string;
  size: number;
  /** The agent's download folder; the file ends as <dir>/<sha256>. */
  dir: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** Relays that failed recently (skipped), shared by every download of the agent. */
  failedRelays?: FailedRelays;
}

export interface DownloadResult {
  path: string;
  /** Bytes fetched now (less than size after a resumed cut). */
  fetched: number;
  resumedFrom: number;
  /** Who served the bytes: "relay:<name>", "server", both in order ("relay:berlin→server"), or "cache". */
  source: string;
  /** Relays passed over and why ("relay:berlin answered 503"), for the report's reason and the log. */
  passedOver: string[];
}

/** The report's source field holds at most this many characters. */
const SOURCE_LIMIT = 200;

interface Source {
  label: string;
  /** The relay's base URL (its key in FailedRelays); null for the managing server. */
  relay: string | null;
  contentUrl: string;
}

/** What is on disk so far: the part file's bytes, already hashed, so any source can continue it. */
interface Progress {
  part: string;
  size: number;
  have: number;
  hash: crypto.Hash;
  /** Bytes on disk when this download began (0 again if the part file had to be discarded). */
  resumedFrom: number;
  fetched: number;
  /** The sources whose bytes are in the part file, in order. */
  served: Source[];
}

interface Failure {
  /** Said after the source's label: "answered 503", "sent no response headers within 5 s". */
  why: string;
  status?: number;
  /** The part file was discarded (another range than asked): this source may be asked again from the start. */
  restarted?: boolean;
  /** Whether later downloads should pass this relay over for a while (not for a 404 about one content). */
  relayDown: boolean;
}

/**
 * Downloads package content to <dir>/<sha256>.part from the relays in order, then the managing
 * server, and renames it into place only after its size and SHA-256 match the manifest.
 *
 * A relay that does not connect or send its headers within relayTimeoutMs, answers anything but
 * 200/206 (5xx, a 401 from a revoked relay, a 404), or stalls or cuts the body, is left for the
 * next source, which continues with Range from the bytes on disk: the content is addressed by
 * its SHA-256, so every source's bytes are the same bytes, and the hash over the whole file
 * still decides. A mismatch deletes the partial file (it can never become valid by appending)
 * and throws IntegrityError. The server's own refusals (a 404) and cuts end the download as
 * before; a cut resumes on the next try.
 */
export async function downloadContent(o: DownloadOptions): Promise<DownloadResult> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const final = path.join(o.dir, o.sha256);
  const part = `${final}.part`;
  if (fs.existsSync(final)) return { path: final, fetched: 0, resumedFrom: o.size, source: 'cache', passedOver: [] };

  const have = sizeOf(part);
  const p: Progress = { part, size: o.size, have, hash: crypto.createHash('sha256'), resumedFrom: have, fetched: 0, served: [] };
  if (p.have > o.size) restart(p);
  if (p.have > 0) await pipeline(fs.createReadStream(part, { end: p.have - 1 }), p.hash, { end: false });

  const sources: Source[] = [
    ...(o.relays ?? []).map((r) => ({ label: `relay:${r.name}`, relay: r.url, contentUrl: `${r.url.replace(/\/+$/, '')}${AGENT_API}/content/${o.sha256}` })),
    { label: 'server', relay: null, contentUrl: o.url },
  ];
  const passedOver: string[] = [];
  const askedAgain = new Set<number>();
  for (let i = 0; p.have < o.size; ) {
    const s = sources[i];
    if (s.relay && o.failedRelays?.isResting(s.relay)) {
      passedOver.push(`${s.label} failed recently and was skipped`);
      i++;
      continue;
    }
    const failure = await fetchFrom(o, s, p);
    if (!failure) continue;
    if (o.signal?.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('the download was stopped');
    if (failure.restarted && !askedAgain.has(i)) {
      askedAgain.add(i);
      continue;
    }
    if (s.relay) {
      if (failure.relayDown) o.failedRelays?.failed(s.relay);
      passedOver.push(`${s.label} ${failure.why}`);
      i++;
      continue;
    }
    // The server is the last source: its 416 means it disagrees about what we have, so start over next time.
    if (failure.status === 416) fs.rmSync(part, { force: true });
    const tried = passedOver.length ? ` (before it, ${passedOver.join('; ')})` : '';
    const resumes = failure.status === undefined || failure.status >= 500 || failure.status === 416 ? '; it resumes on the next try' : '';
    throw new Error(`the server ${failure.why}${tried}${resumes}`);
  }

  const served = p.served;
  const source = served.length ? served.map((s) => s.label).join('→') : 'cache';
  const actual = p.hash.digest('hex');
  if (actual !== o.sha256) {
    fs.rmSync(part, { force: true });
    // A relay that served bad bytes is passed over for a while, like one that failed.
    for (const s of served) if (s.relay) o.failedRelays?.failed(s.relay);
    const from = served.some((s) => s.relay) ? ` (served by ${source})` : '';
    throw new IntegrityError(`integrity failure: the content's SHA-256 is ${actual}, the manifest says ${o.sha256}${from}; the file was deleted`);
  }
  fs.renameSync(part, final);
  for (const s of served) if (s.relay) o.failedRelays?.succeeded(s.relay);
  return { path: final, fetched: p.fetched, resumedFrom: p.resumedFrom, source: clip(source), passedOver };
}

/**
 * Asks one source for the bytes after p.have and appends what arrives. Returns null when the
 * body ended, or why this source was left (bytes that arrived before a cut stay on disk).
 */
async function fetchFrom(o: DownloadOptions, s: Source, p: Progress): Promise<Failure | null> {
  // Until the headers: the relay's short timeout (a dead relay must not hold every download), or
  // for the server the idle timeout as before. Then: the idle timeout, restarted with every chunk.
  const idleMs = o.idleTimeoutMs ?? 60_000;
  const headersMs = s.relay ? (o.relayTimeoutMs ?? 5_000) : idleMs;
  const timeout = new AbortController();
  const arm = (ms: number, why: string) => setTimeout(() => timeout.abort(new Error(why)), ms);
  let timer = arm(headersMs, `sent no response headers within ${seconds(headersMs)}`);
  const touch = () => {
    clearTimeout(timer);
    timer = arm(idleMs, `no data for ${seconds(idleMs)}`);
  };
  const signal = o.signal ? AbortSignal.any([o.signal, timeout.signal]) : timeout.signal;
  const timedOut = () => (timeout.signal.aborted ? (timeout.signal.reason as Error).message : null);
  try {
    let res: Response;
    try {
      res = await o.fetch(s.contentUrl, { headers: { authorization: `Bearer ${o.token}`, ...(p.have > 0 ? { range: `bytes=${p.have}-` } : {}) }, signal });
    } catch (error) {
      return { why: timedOut() ?? `cannot be reached (${causeOf(error)})`, relayDown: true };
    }
    touch();
    if (res.status !== 200 && res.status !== 206) {
      const text = await res.text().catch(() => '');
      // A 404 or 416 concerns this content only; a 401 (a revoked relay) or a 5xx the relay itself.
      const relayDown = res.status >= 500 || res.status === 401 || res.status === 403;
      return { why: `answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, status: res.status, relayDown };
    }
    const range = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    if (res.status === 200 && p.have > 0) {
      // The whole file instead of the rest: take it from its first byte.
      restart(p);
    } else if (res.status === 206 && Number(range?.[1]) !== p.have) {
      await res.body?.cancel().catch(() => undefined);
      restart(p);
      return { why: `answered another range than asked (${res.headers.get('content-range') ?? 'none'})`, restarted: true, relayDown: false };
    }
    const cut = await appendBody(res, s, p, touch);
    if (cut || p.have < p.size) {
      const cause = timedOut() ?? cut?.message;
      return { why: `cut the download at ${p.have} of ${p.size} bytes${cause ? ` (${cause})` : ''}`, relayDown: true };
    }
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Appends the response body to the part file as it is read, so a cut connection leaves on disk
 * every byte that arrived and the next source or try resumes right after it. Returns what cut
 * the body, or null when it ended.
 */
async function appendBody(res: Response, s: Source, p: Progress, touch: () => void): Promise<Error | null> {
  const reader = res.body!.getReader();
  let cutBy: Error | null = null;
  let file: fs.promises.FileHandle | undefined;
  try {
    file = await fs.promises.open(p.part, p.have > 0 ? 'a' : 'w', 0o600);
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        cutBy = error as Error;
        break;
      }
      if (read.done) break;
      touch();
      if (p.have + read.value.length > p.size) {
        throw new IntegrityError(`integrity failure: the content is larger than the manifest's ${p.size} bytes; the file was deleted`);
      }
      p.hash.update(read.value);
      await file.write(read.value);
      p.have += read.value.length;
      p.fetched += read.value.length;
      if (p.served.at(-1) !== s) p.served.push(s);
    }
    await file.sync();
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    await file?.close();
    if (error instanceof IntegrityError) fs.rmSync(p.part, { force: true });
    throw error;
  }
  await file.close();
  return cutBy;
}

/** Discards the part file: the next bytes are the content's first. */
function restart(p: Progress): void {
  fs.rmSync(p.part, { force: true });
  p.have = 0;
  p.resumedFrom = 0;
  p.served = [];
  p.hash.destroy();
  p.hash = crypto.createHash('sha256');
}

function causeOf(error: unknown): string {
  const cause = (error as Error & { cause?: Error }).cause;
  return (cause instanceof Error ? cause : (error as Error)).message;
}

const seconds = (ms: number) => `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

const clip = (text: string) => (text.length > SOURCE_LIMIT ? `${text.slice(0, SOURCE_LIMIT - 1)}…` : text);

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
