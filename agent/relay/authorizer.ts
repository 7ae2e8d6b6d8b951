import crypto from 'node:crypto';
import { RELAY_API } from '../../lib/contract/relay-api';

/** Who is asking: a machine (agent API) or a child relay (relay API); each is checked on its own route. */
export type Requester = 'machine' | 'relay';

export type AuthAnswer =
  | { ok: true; /** From the server's Content-Length, when it sent one. */ size: number | null }
  | { ok: false; status: 401 | 403 | 404 | 502; code: string; message: string };

export interface AuthorizerOptions {
  server: string;
  fetch: typeof fetch;
  now(): number;
  /** How long a yes is trusted: a revoked machine may still download for this long. */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  timeoutMs?: number;
}

const PATHS: Record<Requester, string> = { machine: '/api/agent/v1/content', relay: `${RELAY_API}/content` };

/**
 * Asks the managing server whether this token may have this content, with a HEAD of the same
 * path carrying the requester's own Authorization header: the relay never decides who may have a
 * package, the server does. Positive answers are kept for a minute, keyed by the SHA-256 of the
 * header (the relay never holds a machine's token longer than the request) and the content, so
 * two hundred machines starting the same download cost the server one check each, and a burst
 * from one machine costs one. Concurrent identical checks share one request. Refusals are never
 * cached: a machine just given the job must not wait a minute.
 */
export class Authorizer {
  private readonly granted = new Map<string, { until: number; size: number | null }>();
  private readonly pending = new Map<string, Promise<AuthAnswer>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly o: AuthorizerOptions) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.maxEntries = o.maxEntries ?? 10_000;
  }

  async check(requester: Requester, authorization: string, sha256: string): Promise<AuthAnswer> {
    const key = `${requester}:${crypto.createHash('sha256').update(authorization).digest('hex')}:${sha256}`;
    const hit = this.granted.get(key);
    if (hit && hit.until > this.o.now()) return { ok: true, size: hit.size };
    if (hit) this.granted.delete(key);
    let answer = this.pending.get(key);
    if (!answer) {
      answer = this.ask(requester, authorization, sha256).finally(() => this.pending.delete(key));
      this.pending.set(key, answer);
    }
    const result = await answer;
    if (result.ok && !this.granted.has(key)) {
      this.granted.set(key, { until: this.o.now() + this.ttlMs, size: result.size });
      // Insertion order is age order: the first key is the oldest.
      if (this.granted.size > this.maxEntries) this.granted.delete(this.granted.keys().next().value!);
    }
    return result;
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

  /** Entries held now (for tests of the bound). */
  get size(): number {
    return this.granted.size;
  }
}
