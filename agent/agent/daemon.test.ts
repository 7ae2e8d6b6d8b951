import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../lib/contract/agent-api';
import { AgentDaemon, type AgentWorld } from './daemon';

const identity = { server: 'http://depot.test', machineId: '11111111-1111-4111-8111-111111111111', token: 'dpm_test', enrolledAt: '2027-01-01T00:00:00Z' };
const facts: Inventory = {
  hostname: 'pc-1', timeZone: 'Europe/Berlin',
  os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' },
  cpu: { model: 'cpu', cores: 2 }, memory: { totalBytes: 8, freeBytes: 4 },
  disks: [{ mount: '/', sizeBytes: 100, freeBytes: 50 }], network: [], uptimeSeconds: 10,
};
const plan = (version: number) => ({ machineId: identity.machineId, version, pollSeconds: 60, jitterSeconds: 30, timeZone: 'Europe/Berlin', windows: [], assignments: [] });

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A fake server and clock: each request is answered by the next scripted response. */
function world(responses: (Response | Error)[], extra: Partial<AgentWorld> = {}) {
  const requests: { method: string; url: string; headers: Record<string, string> }[] = [];
  const logs: string[] = [];
  const sleeps: number[] = [];
  let now = Date.parse('2027-01-01T00:00:00Z');
  const w: AgentWorld = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    wait: async (ms, wakeAt) => {
      const until = wakeAt ? Math.min(now + ms, wakeAt.getTime()) : now + ms;
      sleeps.push(until - now);
      now = until;
    },
    run: async () => {
      throw new Error('no installer expected');
    },
    probe: undefined as never,
    random: () => 0.5,
    fetch: (async (url: string, init: RequestInit) => {
      requests.push({ method: init.method ?? 'GET', url, headers: init.headers as Record<string, string> });
      const next = responses.shift();
      if (!next) throw new Error('no scripted response left');
      if (next instanceof Error) throw next;
      return next;
    }) as unknown as typeof fetch,
    collect: async () => facts,
    log: (line) => logs.push(line),
    ...extra,
  };
  return { w, requests, logs, sleeps };
}

function tempDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-daemon-'));
  dirs.push(d);
  return d;
}

describe('AgentDaemon.round', () => {
  it('sends facts once, keeps the plan on disk, and asks with its version afterwards', async () => {
    const dir = tempDir();
    const { w, requests } = world([new Response('{"planVersion":1}'), Response.json(plan(3)), new Response(null, { status: 304 })]);
    const daemon = new AgentDaemon(identity, dir, w);
    expect(await daemon.round()).toEqual({ ok: true });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')).version).toBe(3);
    expect(await daemon.round()).toEqual({ ok: true });
    expect(requests.map((r) => `${r.method} ${r.url.replace(identity.server, '')}`)).toEqual(['POST /api/agent/v1/inventory', 'GET /api/agent/v1/plan', 'GET /api/agent/v1/plan']);
    expect(requests[2].headers['if-none-match']).toBe(`"${identity.machineId}.3"`);
    expect(requests[1].headers.authorization).toBe('Bearer dpm_test');
  });

  it('still polls its plan when the inventory is refused; only a refused token ends the round', async () => {
    const dir = tempDir();
    const { w, requests, logs } = world([new Response('{"error":{"code":"invalid_input"}}', { status: 422 }), Response.json(plan(1))]);
    expect(await new AgentDaemon(identity, dir, w).round()).toEqual({ ok: true });
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(logs[0]).toContain('inventory: the server answered 422');
  });

  it('ignores a cached plan that belongs to another machine (re-enrolled directory)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ ...plan(9), machineId: '22222222-2222-4222-8222-222222222222' }));
    expect(new AgentDaemon(identity, dir, world([]).w).plan).toBeNull();
  });

  it('starts from the plan it kept on disk (offline after a restart)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan(7)));
    const { w } = world([]);
    expect(new AgentDaemon(identity, dir, w).plan?.version).toBe(7);
  });

  it('keeps its token on 401 and says so plainly; honours Retry-After on 503', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'identity.json'), JSON.stringify(identity));
    const { w, logs } = world([
      new Response('{}', { status: 401 }), // round 1: the inventory's token is refused: the round ends
      new Response('busy', { status: 503 }), // round 2: inventory refused, the plan is still asked for
      new Response('busy', { status: 503, headers: { 'retry-after': '90' } }),
    ]);
    const daemon = new AgentDaemon(identity, dir, w);
    expect(await daemon.round()).toEqual({ ok: false, retryAfterMs: undefined });
    expect(logs[0]).toContain("refused this machine's token (401)");
    expect(fs.existsSync(path.join(dir, 'identity.json'))).toBe(true);
    expect(await daemon.round()).toEqual({ ok: false, retryAfterMs: 90_000 });
  });
});

describe('AgentDaemon.run', () => {
  it('waits a random first delay, backs off on failures, resets after success, and stops when asked', async () => {
    const dir = tempDir();
    const stop = new AbortController();
    const responses: (Response | Error)[] = [new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'), new Response('{"planVersion":1}'), Response.json(plan(1))];
    const { w, sleeps } = world(responses, {});
    const originalWait = w.wait;
    w.wait = async (ms, wakeAt, signal) => {
      await originalWait(ms, wakeAt, signal);
      if (sleeps.length === 4) stop.abort(); // after the round that succeeded
    };
    await new AgentDaemon(identity, dir, w).run(stop.signal);
    // first delay: 0.5 × 30 s; failures: full jitter 0.5 × 5 s, 0.5 × 10 s; success: 60 s + 0.5 × 30 s
    expect(sleeps).toEqual([15_000, 2_500, 5_000, 75_000]);
  });
});

describe('realWorld.sleep', () => {
  it('returns at once when already stopped, and leaves no listener behind', async () => {
    const { realWorld } = await import('./daemon');
    const w = realWorld(async () => facts);
    const stopped = new AbortController();
    stopped.abort();
    const t = performance.now();
    await w.sleep(60_000, stopped.signal);
    expect(performance.now() - t).toBeLessThan(100);
    const live = new AbortController();
    for (let i = 0; i < 20; i++) await w.sleep(1, live.signal);
    const { EventEmitter } = await import('node:events');
    expect(EventEmitter.getEventListeners(live.signal, 'abort')).toHaveLength(0);
  });
});

describe('AgentDaemon: a refused token (a retired machine)', () => {
  const cachedPlan = () => ({
    ...plan(4),
    assignments: [
      {
        assignmentId: '44444444-4444-4444-8444-444444444444', attempt: 1, jobId: '22222222-2222-4222-8222-222222222222', jobName: 'cancelled install',
        kind: 'install', state: 'pending', timing: 'asap', startAt: null, notBefore: null, deadline: null, loadSpreading: false,
        package: {
          id: '33333333-3333-4333-8333-333333333333', packageId: 'p', version: '1', generation: 1, displayName: 'P', sha256: 'a'.repeat(64), size: 1, fileName: 'p.sh',
          installer: { kind: 'script', install: ['{file}'], successExitCodes: [0], timeoutSeconds: 60, reboot: 'never' },
          conditions: { requires: [{ name: 'libc6' }] }, detection: { kind: 'command', argv: ['/bin/true'], successExitCodes: [0] },
        },
      },
    ],
  });

  it('runs nothing from its cached plan after a 401, across a restart, until the server accepts the token again', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(cachedPlan()));
    const ran: string[][] = [];
    const probed: string[] = [];
    const probe = new Proxy({}, { get: (_t, name) => () => { probed.push(String(name)); throw new Error('the machine was probed'); } });
    const extra = { run: async (argv: string[]) => { ran.push(argv); throw new Error('ran'); }, probe: probe as never };
    const first = world([new Response('{}', { status: 401 })], extra);
    const daemon = new AgentDaemon(identity, dir, first.w);
    expect(await daemon.round()).toEqual({ ok: false, retryAfterMs: undefined });
    expect(await daemon.work()).toBeNull();
    expect(ran).toEqual([]);
    expect(probed).toEqual([]); // no condition or detection check either
    expect(first.requests).toHaveLength(1); // no download either
    expect(first.logs.join('\n')).toContain('nothing from the cached plan runs');

    // A restart while the server is unreachable still runs nothing: the refusal is kept on disk.
    const second = world([new Error('connect ECONNREFUSED')], extra);
    const restarted = new AgentDaemon(identity, dir, second.w);
    expect((await restarted.round()).ok).toBe(false);
    expect(await restarted.work()).toBeNull();
    expect(ran).toEqual([]);
    expect(probed).toEqual([]);

    // Accepted again (a 304 for its plan): the refusal is forgotten.
    const third = world([new Response('{"planVersion":4}'), new Response(null, { status: 304 })], extra);
    const back = new AgentDaemon(identity, dir, third.w);
    expect(await back.round()).toEqual({ ok: true });
    expect(fs.existsSync(path.join(dir, 'token-refused.json'))).toBe(false);
    expect(third.logs.join('\n')).toContain('accepts this machine');
  });

  it('keeps polling at its back-off cap while refused', async () => {
    const dir = tempDir();
    const stop = new AbortController();
    const responses = Array.from({ length: 12 }, () => new Response('{}', { status: 401 }));
    const { w, sleeps } = world(responses);
    const originalWait = w.wait;
    w.wait = async (ms, wakeAt, signal) => {
      await originalWait(ms, wakeAt, signal);
      if (sleeps.length === 13) stop.abort();
    };
    await new AgentDaemon(identity, dir, w).run(stop.signal);
    expect(Math.max(...sleeps.slice(1))).toBe(sleeps[12]);
    expect(sleeps[12]).toBeGreaterThan(60_000);
  });
});

describe('AgentDaemon: a stop', () => {
  it('still sends the queued reports after the stop aborted the round', async () => {
    const dir = tempDir();
    const event = { assignmentId: '44444444-4444-4444-8444-444444444444', attempt: 1, state: 'installed', at: '2027-01-01T00:00:00.000Z', exitCode: 0 };
    fs.writeFileSync(path.join(dir, 'outbox.json'), JSON.stringify([event]));
    const signals: (AbortSignal | undefined)[] = [];
    const { w, requests } = world([new Response('{"planVersion":1}'), new Response(null, { status: 304 }), Response.json({ results: [{ assignmentId: event.assignmentId, attempt: 1, state: 'installed', outcome: 'applied' }] })]);
    const inner = w.fetch;
    w.fetch = (async (url: string, init: RequestInit) => {
      signals.push(init.signal ?? undefined);
      if (init.signal?.aborted) throw new Error('fetch failed: aborted');
      return inner(url, init);
    }) as unknown as typeof fetch;
    const daemon = new AgentDaemon(identity, dir, w);
    const stop = new AbortController();
    const queued = daemon.executor.outbox.flush;
    // The first round's reports fail (the server is briefly away); the stop comes during that round.
    daemon.executor.outbox.flush = async () => false;
    await daemon.round(stop.signal);
    daemon.executor.outbox.flush = queued;
    stop.abort();
    await daemon.run(stop.signal);
    expect(requests.map((r) => r.url.replace(identity.server, ''))).toEqual(['/api/agent/v1/inventory', '/api/agent/v1/plan', '/api/agent/v1/report']);
    expect(daemon.executor.outbox.size).toBe(0);
  });
});

describe('AgentDaemon: the final report after a stop', () => {
  it('gets its FINAL_REPORT_MS from the flush, not from the stop: an install ending long after the SIGTERM is still reported', async () => {
    const dir = tempDir();
    const event = { assignmentId: '44444444-4444-4444-8444-444444444444', attempt: 1, state: 'installed', at: '2027-01-01T00:00:00.000Z', exitCode: 0 };
    fs.writeFileSync(path.join(dir, 'outbox.json'), JSON.stringify([event]));
    // Timers on the test's clock: each aborts once the clock has passed its deadline.
    const timers: { at: number; c: AbortController }[] = [];
    const { w, requests } = world([Response.json({ results: [{ assignmentId: event.assignmentId, attempt: 1, state: 'installed', outcome: 'applied' }] })]);
    const fetchInner = w.fetch;
    w.fetch = (async (url: string, init: RequestInit) => {
      if (init.signal?.aborted) throw new Error('fetch failed: aborted');
      return fetchInner(url, init);
    }) as unknown as typeof fetch;
    let now = w.now();
    w.now = () => now;
    w.timeout = (ms) => {
      const c = new AbortController();
      timers.push({ at: now + ms, c });
      return c.signal;
    };
    // What passes between the stop and the last flush (the installer let finish): a minute.
    w.sleep = async () => {
      now += 60_000;
      for (const t of timers) if (t.at <= now) t.c.abort();
    };
    const daemon = new AgentDaemon(identity, dir, w);
    const stop = new AbortController();
    stop.abort();
    await daemon.run(stop.signal);
    expect(requests.map((r) => r.url.replace(identity.server, ''))).toEqual(['/api/agent/v1/report']);
    expect(daemon.executor.outbox.size).toBe(0);
  });
});

describe('AgentDaemon: a refused report batch', () => {
  const events = ['44444444-4444-4444-8444-444444444444', '55555555-5555-4555-8555-555555555555'].map((assignmentId) => ({ assignmentId, attempt: 1, state: 'installed', at: '2027-01-01T00:00:00.000Z', exitCode: 0 }));
  const page = () => new Response('<html><body>Not Found</body></html>', { status: 404, headers: { 'content-type': 'text/html' } });

  it('keeps every event queued when a proxy in between answers 404 with a page', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'outbox.json'), JSON.stringify(events));
    const { w } = world([page(), page(), page()]);
    const daemon = new AgentDaemon(identity, dir, w);
    expect(await daemon.flushReports()).toBe(false);
    expect(daemon.executor.outbox.size).toBe(2);
  });

  it('drops an event only when Depot itself refuses it (its JSON error)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'outbox.json'), JSON.stringify(events.slice(0, 1)));
    const { w, logs } = world([new Response('{"error":{"code":"invalid_input","message":"Some input is not valid.","field":"events.0.exitCode"}}', { status: 422 })]);
    const daemon = new AgentDaemon(identity, dir, w);
    expect(await daemon.flushReports()).toBe(true);
    expect(daemon.executor.outbox.size).toBe(0);
    expect(logs.join('\n')).toContain('refused, dropped');
  });
});
