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
