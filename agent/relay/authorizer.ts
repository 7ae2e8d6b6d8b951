import crypto from 'node:crypto';
import { RELAY_API } from '../../lib/contract/relay-api';

/** Who is asking: a machine (agent API) or a child relay (relay API); each is checked on its own route. */
export type Requester = 'machine' | 'relay';

export type AuthAnswer =
  | { ok: true; /** From the server's Content-Length, when it sent one. */ size: number | null }
  | { ok: false; status: 401 | 403 | 404 | 502 | 503; code: string; message: string };

export interface AuthorizerOptions {
  server: string;
  fetch: typeof fetch;
  now(): number;
  /** How long a yes is trusted: a revoked machine may still download for this long. */
  ttlMs?: number;
  /** How long a no (401, 403, 404) is remembered: a machine just given the job waits at most this long. */
  refusalTtlMs?: number;
  /** Entries kept at most, in each of the two maps; the oldest go first. */
  maxEntries?: number;
  timeoutMs?: number;
  /** Checks in flight to the server at most; beyond them a request gets 503 (default 32). */
  maxInFlight?: number;
}

const PATHS: Record<Requester, string> = { machine: '/api/agent/v1/content', relay: `${RELAY_API}/content` };

type Refusal = Extract<AuthAnswer, { ok: false }>;

/**
 * Asks the managing server whether this token may have this content, with a HEAD of the same
 * path carrying the requester's own Authorization header: the relay never decides who may have a
 * package, the server does. Answers are keyed by the SHA-256 of the header (the relay never holds
 * a machine's token longer than the request) and the content. Positive answers are kept for a
 * minute, so two hundred machines starting the same download cost the server one check each, and
 * a burst from one machine costs one. Refusals are kept briefly (15 s): long enough that a flood
 * of requests with one bad token costs the server one check, not one per request, short enough
 * that a machine just given the job does not wait long. A 401 refuses the token itself, so it is
 * remembered for every content; a 403 or 404 for that content only. An unreachable server (502)
 * is never remembered. Concurrent identical checks share one request. At most maxInFlight
 * different checks are in flight to the server at once: a flood of different bad tokens, none
 * of them known yet, would otherwise each become a request to the server; beyond the cap a
 * request gets 503 (the handler adds Retry-After), which is not remembered.
 */
export class Authorizer {
  private readonly granted = new Map<string, { until: number; size: number | null }>();
  private readonly refused = new Map<string, { until: number; answer: Refusal }>();
  private readonly pending = new Map<string, Promise<AuthAnswer>>();
  private readonly ttlMs: number;
  private readonly refusalTtlMs: number;
  private readonly maxEntries: number;
  private readonly maxInFlight: number;

  constructor(private readonly o: AuthorizerOptions) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.refusalTtlMs = o.refusalTtlMs ?? 15_000;
    this.maxEntries = o.maxEntries ?? 10_000;
    this.maxInFlight = o.maxInFlight ?? 32;
  }

  async check(requester: Requester, authorization: string, sha256: string): Promise<AuthAnswer> {
    const who = `${requester}:${crypto.createHash('sha256').update(authorization).digest('hex')}`;
    const key = `${who}:${sha256}`;
    const hit = this.granted.get(key);
    if (hit && hit.until > this.o.now()) return { ok: true, size: hit.size };
    if (hit) this.granted.delete(key);
    const no = this.recalled(`${who}:*`) ?? this.recalled(key);
    if (no) return no;
    let answer = this.pending.get(key);
    if (!answer) {
      if (this.pending.size >= this.maxInFlight) {
        return { ok: false, status: 503, code: 'unavailable', message: 'The relay is checking as many requests with the managing server as it may; try again in a few seconds or download from the managing server.' };
      }
      answer = this.ask(requester, authorization, sha256).finally(() => this.pending.delete(key));
      this.pending.set(key, answer);
    }
    const result = await answer;
    if (result.ok && !this.granted.has(key)) {
      remember(this.granted, key, { until: this.o.now() + this.ttlMs, size: result.size }, this.maxEntries);
    } else if (!result.ok && result.status !== 502 && result.status !== 503) {
      remember(this.refused, result.status === 401 ? `${who}:*` : key, { until: this.o.now() + this.refusalTtlMs, answer: result }, this.maxEntries);
    }
    return result;
  }

  private recalled(key: string): Refusal | null {
    const no = this.refused.get(key);
    if (!no) return null;
    if (no.until > this.o.now()) return no.answer;
    this.refused.delete(key);
    return null;
  }

  private async ask(requester: Requester, authorization: string, sha256: string): Promise<AuthAnswer> {
    let res: Response;
    try {
      res = await this.o.fetch(`${this.o.server}${PATHS[requester]}/${sha256}`, {
        method: 'HEAD',
        headers: { authorization },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch {
      return { ok: false, status: 502, code: 'upstream_unavailable', message: 'The relay cannot reach the managing server to check this request; download from the managing server.' };
    }
    await res.body?.cancel();
    const who = requester === 'machine' ? 'this machine' : 'this relay';
    switch (res.status) {
      case 200: {
        const length = res.headers.get('content-length');
        return { ok: true, size: length && /^\d+$/.test(length) ? Number(length) : null };
      }
      case 401:
        return { ok: false, status: 401, code: 'unauthorized', message: `The managing server refused ${who}'s token.` };
      case 403:
        return { ok: false, status: 403, code: 'forbidden', message: `The managing server does not allow ${who} this content.` };
      case 404:
        return { ok: false, status: 404, code: 'not_found', message: `No content ${sha256} is available to ${who}.` };
      default:
        return { ok: false, status: 502, code: 'upstream_unavailable', message: `The managing server answered ${res.status} when the relay checked this request; download from the managing server.` };
    }
  }

  /** Positive answers held now (for tests of the bound). */
  get size(): number {
    return this.granted.size;
  }

  /** Refusals held now (for tests of the bound). */
  get refusals(): number {
    return this.refused.size;
  }
}

/** Sets a key as the newest (insertion order is age order) and drops the oldest past the bound. */
function remember<V>(map: Map<string, V>, key: string, value: V, maxEntries: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > maxEntries) map.delete(map.keys().next().value!);
}
