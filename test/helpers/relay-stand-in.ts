/**
 * A stand-in for the managing server (and a parent relay) as depot-relay sees it, for the
 * relay's tests: a real node:http server that serves known bytes, answers the authorization
 * HEADs and the heartbeat, counts every request, and can corrupt a byte, cut a body short, stall
 * a body until the test releases it, or refuse the relay's token.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { heartbeatRequestSchema, type HeartbeatResponse, type RelayOrderMessage } from '@/lib/contract/relay-api';

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'corrupt'; at: number }
  | { kind: 'truncate'; after: number }
  /** Holds the body after `after` bytes until release(); then the rest, or the fault `then`. */
  | { kind: 'stall'; after: number; then?: 'truncate' | 'corrupt' }
  | { kind: 'status'; status: number };

export interface StandIn {
  url: string;
  /** Adds content; returns its SHA-256. */
  addContent(bytes: Buffer): string;
  /** How the next GETs of this content's body behave (default ok). */
  behave(sha256: string, behaviour: Behaviour): void;
  /** Lets stalled bodies of this content go on. */
  release(sha256: string): void;
  /** A machine token that may have these contents. */
  allowMachine(token: string, shas: string[]): void;
  relayTokens: Set<string>;
  /** Request counts by "METHOD /path". */
  count(method: string, path: string): number;
  /** Accepted heartbeats, and beside each (same index) the Authorization it came with. */
  heartbeats: ReturnType<typeof heartbeatRequestSchema.parse>[];
  heartbeatAuth: string[];
  /** The next heartbeat answers: status 200 with this body, or another status. */
  answer: { status: number; orders: RelayOrderMessage[]; pinned: string[]; heartbeatSeconds: number };
  /** Holds every content check (HEAD) until the returned function is called; count() still counts them. */
  holdChecks(): () => void;
  /** Resolves when the next GET of this content's body starts (its headers are sent). */
  bodyStarted(sha256: string): Promise<void>;
  close(): Promise<void>;
}

export const sha256Of = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes, so a wrong offset shows. */
export function testBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export async function startStandIn(): Promise<StandIn> {
  const contents = new Map<string, Buffer>();
  const behaviours = new Map<string, Behaviour>();
  let checksHeld: Promise<void> | null = null;
  const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  const started = new Map<string, (() => void)[]>();
  const machines = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();

  const gate = (sha: string) => {
    let g = gates.get(sha);
    if (!g) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      g = { promise, open };
      gates.set(sha, g);
    }
    return g;
  };

  const standIn: Omit<StandIn, 'url' | 'close'> = {
    addContent(bytes) {
      const sha = sha256Of(bytes);
      contents.set(sha, bytes);
      return sha;
    },
    behave: (sha, b) => void behaviours.set(sha, b),
    release: (sha) => gate(sha).open(),
    holdChecks: () => {
      let open!: () => void;
      checksHeld = new Promise<void>((resolve) => (open = resolve));
      return () => {
        checksHeld = null;
        open();
      };
    },
    allowMachine: (token, shas) => void machines.set(token, new Set(shas)),
    relayTokens: new Set(),
    count: (method, path) => counts.get(`${method} ${path}`) ?? 0,
    heartbeats: [],
    heartbeatAuth: [],
    answer: { status: 200, orders: [], pinned: [], heartbeatSeconds: 30 },
    bodyStarted: (sha) => new Promise<void>((resolve) => started.set(sha, [...(started.get(sha) ?? []), resolve])),
  };

  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    counts.set(`${req.method} ${path}`, (counts.get(`${req.method} ${path}`) ?? 0) + 1);
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];

    if (req.method === 'POST' && path === '/api/relay/v1/heartbeat') {
      let text = '';
      for await (const chunk of req) text += chunk;
      if (!token || !standIn.relayTokens.has(token) || standIn.answer.status === 401) return json(res, 401, { error: { code: 'unauthorized', message: 'Sign in to continue.' } });
      // The relay must speak the contract: a body the real server would refuse fails the test here.
      standIn.heartbeats.push(heartbeatRequestSchema.parse(JSON.parse(text)));
      standIn.heartbeatAuth.push(req.headers.authorization ?? '');
      if (standIn.answer.status !== 200) return json(res, standIn.answer.status, { error: { code: 'unavailable', message: 'try later' } });
      const body: HeartbeatResponse = {
        relayId: '22222222-2222-4222-8222-222222222222',
        name: 'relay-test',
        heartbeatSeconds: standIn.answer.heartbeatSeconds,
        orders: standIn.answer.orders,
        pinned: standIn.answer.pinned,
      };
      return json(res, 200, body);
    }

    const machine = /^\/api\/agent\/v1\/content\/([0-9a-f]{64})$/.exec(path);
    const relay = /^\/api\/relay\/v1\/content\/([0-9a-f]{64})$/.exec(path);
    if (!machine && !relay) return json(res, 404, { error: { code: 'not_found', message: 'No such endpoint.' } });
    const sha = (machine ?? relay)![1];
    if (req.method === 'HEAD' && checksHeld) await checksHeld;
    if (!token || (machine ? !machines.has(token) : !standIn.relayTokens.has(token))) return json(res, 401, { error: { code: 'unauthorized', message: 'Sign in to continue.' } });
    const bytes = contents.get(sha);
    if (!bytes || (machine && !machines.get(token)!.has(sha))) return json(res, 404, { error: { code: 'not_found', message: `No content ${sha}.` } });
    const headers = { 'content-length': bytes.length, etag: `"${sha}"`, 'x-content-sha256': sha, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (req.method === 'HEAD') return void res.writeHead(200, headers).end();

    const b = behaviours.get(sha) ?? { kind: 'ok' };
    if (b.kind === 'status') return json(res, b.status, { error: { code: 'internal', message: 'broken' } });
    res.writeHead(200, headers);
    res.flushHeaders();
    for (const resolve of started.get(sha) ?? []) resolve();
    started.delete(sha);
    if (b.kind === 'ok') return void res.end(bytes);
    if (b.kind === 'corrupt') {
      const copy = Buffer.from(bytes);
      copy[b.at] ^= 0xff;
      return void res.end(copy);
    }
    if (b.kind === 'truncate') {
      res.write(bytes.subarray(0, b.after), () => res.destroy());
      return;
    }
    res.write(bytes.subarray(0, b.after));
    await gate(sha).promise;
    if (b.then === 'truncate') return void res.destroy();
    const rest = Buffer.from(bytes.subarray(b.after));
    if (b.then === 'corrupt') rest[rest.length - 1] ^= 0xff;
    res.end(rest);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...standIn,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const g of gates.values()) g.open();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The connection closed before Content-Length bytes arrived. */
  cut: boolean;
}

/**
 * A GET (or HEAD) as a client sees it, over node:http: the body, and whether the connection was
 * cut short of the Content-Length it promised. onResponse runs when the headers arrive.
 */
export function get(url: string, headers: Record<string, string> = {}, options: { method?: string; onResponse?: (res: http.IncomingMessage) => void } = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      options.onResponse?.(res);
      const chunks: Buffer[] = [];
      let ended = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (ended = true));
      res.on('error', () => undefined);
      res.on('close', () => {
        const body = Buffer.concat(chunks);
        const promised = res.headers['content-length'] === undefined ? body.length : Number(res.headers['content-length']);
        const expected = options.method === 'HEAD' || res.statusCode === 304 ? 0 : promised;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cut: !ended || body.length !== expected });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A relay in the test process against a stand-in, with a clock the test can move forward. */
export async function startTestRelay(
  standIn: StandIn,
  options: { cacheDir: string; token?: string; maxClients?: number; cacheSizeBytes?: number; upstream?: string; heartbeatMs?: number; idleMs?: number; authTtlMs?: number; clock?: { offset: number }; world?: Partial<import('@/agent/relay/world').RelayWorld> },
) {
  const { Relay } = await import('@/agent/relay/relay');
  const { realRelayWorld } = await import('@/agent/relay/world');
  const logs: string[] = [];
  const clock = options.clock ?? { offset: 0 };
  const world = { ...realRelayWorld(), now: () => Date.now() + clock.offset, random: () => 0.5, log: (line: string) => logs.push(line), ...options.world };
  const token = options.token ?? 'dpr_test-relay-token';
  standIn.relayTokens.add(token);
  const relay = new Relay(
    {
      server: standIn.url,
      token,
      listen: { host: '127.0.0.1', port: 0 },
      cacheDir: options.cacheDir,
      upstream: options.upstream ?? standIn.url,
      maxClients: options.maxClients ?? 200,
      cacheSizeBytes: options.cacheSizeBytes ?? 1 << 30,
      heartbeatMs: options.heartbeatMs ?? null,
    },
    world,
    'test',
    { idleMs: options.idleMs, authTtlMs: options.authTtlMs },
  );
  await relay.start();
  return { relay, logs, clock, token };
}
