import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, startStandIn, startTestRelay, testBytes, type StandIn } from '../../test/helpers/relay-stand-in';
import type { Relay } from './relay';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(cacheSizeBytes: number) {
  const standIn = await startStandIn();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-'));
  cleanups.push(() => standIn.close(), () => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const started = await startTestRelay(standIn, { cacheDir, cacheSizeBytes });
  cleanups.push(() => started.relay.stop(1000));
  return { standIn, cacheDir, ...started };
}

function content(standIn: StandIn, size: number, seed: number) {
  const bytes = testBytes(size, seed);
  const sha = standIn.addContent(bytes);
  standIn.allowMachine(`dpm_${seed}`, [sha]);
  return { bytes, sha, token: `dpm_${seed}` };
}

const download = (relay: Relay, c: { sha: string; token: string }) => get(`${relay.url}/api/agent/v1/content/${c.sha}`, { authorization: `Bearer ${c.token}` });

/**
 * A client that reads the first chunk and then stops reading: the relay's response stays open
 * (the content is larger than the socket buffers) until resume() is called.
 */
async function slowClient(relay: Relay, c: { sha: string; token: string }) {
  let response!: IncomingMessage;
  let firstChunk!: () => void;
  const gotFirst = new Promise<void>((resolve) => (firstChunk = resolve));
  const done = get(`${relay.url}/api/agent/v1/content/${c.sha}`, { authorization: `Bearer ${c.token}` }, {
    onResponse: (res) => {
      response = res;
      res.once('data', () => {
        res.pause();
        firstChunk();
      });
    },
  });
  await gotFirst;
  return { done, resume: () => response.resume() };
}

describe('depot-relay cache size limit', () => {
  it('evicts the least recently used content that is not pinned, after a fetch and on the heartbeat', async () => {
    const { standIn, relay, cacheDir, clock, logs } = await setup(35_000);
    const [a, b, c, d] = [1, 2, 3, 4].map((seed) => content(standIn, 10_000, seed));
    for (const x of [a, b, c]) {
      expect((await download(relay, x)).status).toBe(200);
      clock.offset += 1000;
    }
    expect((await download(relay, b)).status).toBe(200); // b is now more recent than c
    clock.offset += 1000;
    standIn.answer.pinned = [a.sha]; // a is the oldest, but an unfinished job needs it
    await relay.heartbeat.beat();

    expect((await download(relay, d)).status).toBe(200);
    const held = () => relay.cache.held().map((h) => h.sha256).sort();
    expect(held()).toEqual([a.sha, b.sha, d.sha].sort());
    expect(fs.existsSync(path.join(cacheDir, 'blobs', c.sha))).toBe(false);
    expect(logs.some((l) => l.startsWith(`evicted ${c.sha.slice(0, 12)}`))).toBe(true);

    // Unpinned on the next heartbeat, a is the least recently used and goes when the cache is over again.
    standIn.answer.pinned = [];
    await relay.heartbeat.beat();
    expect((await download(relay, c)).status).toBe(200);
    expect(held()).toEqual([b.sha, c.sha, d.sha].sort());
    // The heartbeat reports what is left, with each content's last use.
    await relay.heartbeat.beat();
    const report = standIn.heartbeats.at(-1)!;
    expect(report.held.map((h) => h.sha256).sort()).toEqual([b.sha, c.sha, d.sha].sort());
    expect(report.cacheUsedBytes).toBe(30_000);
    expect(report.cacheLimitBytes).toBe(35_000);
  });

  it('evicts on the heartbeat when a new answer unpins content', async () => {
    const { standIn, relay } = await setup(15_000);
    const [a, b] = [1, 2].map((seed) => content(standIn, 10_000, seed));
    standIn.answer.pinned = [a.sha, b.sha];
    await relay.heartbeat.beat();
    await download(relay, a);
    await download(relay, b);
    expect(relay.cache.held()).toHaveLength(2); // over the limit, but both pinned
    standIn.answer.pinned = [b.sha];
    await relay.heartbeat.beat();
    expect(relay.cache.held().map((h) => h.sha256)).toEqual([b.sha]);
  });

  it('never evicts content that is being served', async () => {
    const big = 32 * 1024 * 1024;
    const { standIn, relay } = await setup(big + 1500);
    const a = content(standIn, big, 1);
    expect((await download(relay, a)).status).toBe(200);
    const [b, c] = [2, 3].map((seed) => content(standIn, 1000, seed));
    const reader = await slowClient(relay, a);
    await download(relay, b);
    // Over the limit now: a is the least recently used but still being sent, so b goes.
    await download(relay, c);
    expect(relay.cache.held().map((h) => h.sha256).sort()).toEqual([a.sha, c.sha].sort());
    reader.resume();
    const res = await reader.done;
    expect([res.status, res.cut, res.body.equals(a.bytes)]).toEqual([200, false, true]);
  });
});

describe('depot-relay orders', () => {
  const orderId = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

  it('carries out a delete order after the running download of that content finishes, then reports it', async () => {
    const { standIn, relay, cacheDir, logs } = await setup(1 << 30);
    const x = content(standIn, 300_000, 1);
    standIn.behave(x.sha, { kind: 'stall', after: 100_000 });
    const started = standIn.bodyStarted(x.sha);
    const running = download(relay, x);
    await started;

    standIn.answer.orders = [{ orderId: orderId(1), kind: 'delete', sha256: x.sha, size: 300_000 }];
    await relay.heartbeat.beat();
    await relay.heartbeat.beat(); // the server repeats the order until it hears the outcome: started once
    expect(logs.filter((l) => l.includes(`order ${orderId(1)}: delete`))).toHaveLength(1);
    expect(relay.heartbeat.pendingOutcomes).toEqual([]);
    expect(relay.cache.find(x.sha)?.kind).toBe('download');

    standIn.release(x.sha);
    const res = await running;
    expect([res.status, res.cut, res.body.equals(x.bytes)]).toEqual([200, false, true]);
    await relay.heartbeat.ordersSettled();
    expect(fs.existsSync(path.join(cacheDir, 'blobs', x.sha))).toBe(false);
    expect(relay.cache.find(x.sha)).toBeNull();
    expect(relay.heartbeat.pendingOutcomes).toEqual([{ orderId: orderId(1), state: 'done', error: null }]);

    standIn.answer.orders = [];
    await relay.heartbeat.beat();
    const report = standIn.heartbeats.at(-1)!;
    expect(report.orders).toEqual([{ orderId: orderId(1), state: 'done', error: null }]);
    expect(report.held).toEqual([]);
    expect(relay.heartbeat.pendingOutcomes).toEqual([]);
  });

  it('keeps a content that a delete order names until its response in progress is finished', async () => {
    const big = 32 * 1024 * 1024;
    const { standIn, relay, cacheDir } = await setup(1 << 30);
    const x = content(standIn, big, 1);
    await download(relay, x);
    const reader = await slowClient(relay, x);
    standIn.answer.orders = [{ orderId: orderId(2), kind: 'delete', sha256: x.sha, size: big }];
    await relay.heartbeat.beat();
    expect(fs.existsSync(path.join(cacheDir, 'blobs', x.sha))).toBe(true);
    expect(relay.heartbeat.pendingOutcomes).toEqual([]);
    reader.resume();
    const res = await reader.done;
    expect([res.status, res.cut, res.body.equals(x.bytes)]).toEqual([200, false, true]);
    await relay.heartbeat.ordersSettled();
    expect(fs.existsSync(path.join(cacheDir, 'blobs', x.sha))).toBe(false);
    expect(relay.heartbeat.pendingOutcomes).toEqual([{ orderId: orderId(2), state: 'done', error: null }]);
  });

  it('carries out prefetch orders, reports failures with the error, and remembers outcomes across a restart', async () => {
    const { standIn, relay, cacheDir, token } = await setup(1 << 30);
    const good = content(standIn, 20_000, 1);
    const bad = content(standIn, 20_000, 2);
    standIn.behave(bad.sha, { kind: 'corrupt', at: 5 });
    standIn.answer.orders = [
      { orderId: orderId(3), kind: 'prefetch', sha256: good.sha, size: 20_000 },
      { orderId: orderId(4), kind: 'prefetch', sha256: bad.sha, size: 20_000 },
    ];
    await relay.heartbeat.beat();
    await relay.heartbeat.ordersSettled();
    expect(fs.readFileSync(path.join(cacheDir, 'blobs', good.sha)).equals(good.bytes)).toBe(true);
    expect(fs.existsSync(path.join(cacheDir, 'blobs', bad.sha))).toBe(false);
    expect(fs.readdirSync(path.join(cacheDir, 'tmp'))).toEqual([]);
    expect([...relay.heartbeat.pendingOutcomes].sort((x, y) => x.orderId.localeCompare(y.orderId))).toEqual([
      { orderId: orderId(3), state: 'done', error: null },
      { orderId: orderId(4), state: 'failed', error: expect.stringMatching(/corrupt/) },
    ]);

    // Killed before the next heartbeat: the outcomes are on disk and go out after the restart.
    await relay.stop(1000);
    const again = await startTestRelay(standIn, { cacheDir, token, cacheSizeBytes: 1 << 30 });
    cleanups.push(() => again.relay.stop(1000));
    expect(again.relay.heartbeat.pendingOutcomes).toHaveLength(2);
    standIn.answer.orders = [];
    await again.relay.heartbeat.beat();
    const report = standIn.heartbeats.at(-1)!;
    expect(report.orders.map((o) => [o.orderId, o.state]).sort()).toEqual([
      [orderId(3), 'done'],
      [orderId(4), 'failed'],
    ]);
    expect(report.held).toEqual([{ sha256: good.sha, size: 20_000, lastUsedAt: null }]);
    expect(again.relay.heartbeat.pendingOutcomes).toEqual([]);
    expect(standIn.count('GET', `/api/relay/v1/content/${good.sha}`)).toBe(1);
  });

  it('does not report a prefetch cut by a stop as failed: the order is carried out after the restart', async () => {
    const { standIn, relay, cacheDir, token } = await setup(1 << 30);
    const x = content(standIn, 200_000, 5);
    standIn.behave(x.sha, { kind: 'stall', after: 50_000 });
    standIn.answer.orders = [{ orderId: orderId(5), kind: 'prefetch', sha256: x.sha, size: 200_000 }];
    const started = standIn.bodyStarted(x.sha);
    await relay.heartbeat.beat();
    await started;
    await relay.stop(1000);
    expect(relay.heartbeat.pendingOutcomes).toEqual([]);
    expect(fs.readdirSync(path.join(cacheDir, 'tmp'))).toEqual([]);

    standIn.behave(x.sha, { kind: 'ok' });
    const again = await startTestRelay(standIn, { cacheDir, token, cacheSizeBytes: 1 << 30 });
    cleanups.push(() => again.relay.stop(1000));
    expect(again.relay.heartbeat.pendingOutcomes).toEqual([]);
    await again.relay.heartbeat.beat();
    await again.relay.heartbeat.ordersSettled();
    expect(again.relay.heartbeat.pendingOutcomes).toEqual([{ orderId: orderId(5), state: 'done', error: null }]);
    expect(fs.readFileSync(path.join(cacheDir, 'blobs', x.sha)).equals(x.bytes)).toBe(true);
  });
});
