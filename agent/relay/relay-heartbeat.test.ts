import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, startStandIn, startTestRelay, testBytes } from '../../test/helpers/relay-stand-in';
import { BACKOFF } from './heartbeat';
import { REVOKED_MESSAGE } from './request-handler';
import type { RelayWorld } from './world';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(world: Partial<RelayWorld> = {}, heartbeatMs?: number) {
  const standIn = await startStandIn();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-'));
  cleanups.push(() => standIn.close(), () => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const started = await startTestRelay(standIn, { cacheDir, cacheSizeBytes: 5_000_000, world, heartbeatMs });
  cleanups.push(() => started.relay.stop(1000));
  return { standIn, cacheDir, ...started };
}

describe('depot-relay heartbeat', () => {
  it('reports its disk, cache and health with its token, and takes the interval from the answer', async () => {
    const { standIn, relay, token } = await setup();
    const bytes = testBytes(4096, 1);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);
    await get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_a' });
    standIn.answer.heartbeatSeconds = 45;

    const result = await relay.heartbeat.beat();
    expect(result).toEqual({ ok: true, status: 200 });
    expect(standIn.heartbeatAuth).toEqual([`Bearer ${token}`]);
    const report = standIn.heartbeats[0];
    expect(report.diskFreeBytes).toBeGreaterThan(0);
    expect(report.cacheUsedBytes).toBe(4096);
    expect(report.cacheLimitBytes).toBe(5_000_000);
    expect(report.held).toEqual([{ sha256: sha, size: 4096, lastUsedAt: expect.any(String) }]);
    expect(report.health).toMatchObject({ version: 'test', activeClients: 0, maxClients: 200, bytesServed: 4096, bytesFetched: 4096, refused: 0, lastError: null });
    // This machine has the sendfile module (native-sendfile.test.ts fails when it does not).
    expect(report.health.sending).toEqual(process.platform === 'linux' ? { path: 'sendfile' } : { path: 'javascript', why: expect.any(String) });
    // random() is 0.5 in tests: exactly the interval the server asked for.
    expect(relay.heartbeat.nextDelay(result)).toBe(45_000);
  });

  it("beats at least as often as the operator's --heartbeat, never less often than the server asks", async () => {
    const { standIn, relay } = await setup({}, 2_000);
    // Before any answer: the operator's interval.
    expect(relay.heartbeat.nextDelay({ ok: true })).toBe(2_000);
    standIn.answer.heartbeatSeconds = 30;
    expect(relay.heartbeat.nextDelay(await relay.heartbeat.beat())).toBe(2_000);
    standIn.answer.heartbeatSeconds = 1;
    expect(relay.heartbeat.nextDelay(await relay.heartbeat.beat())).toBe(1_000);
  });

  it('stops serving when the server refuses its token (401), says why, and serves again once accepted', async () => {
    const { standIn, relay, logs } = await setup();
    const sha = standIn.addContent(testBytes(1000, 2));
    standIn.allowMachine('dpm_a', [sha]);
    const url = `${relay.url}/api/agent/v1/content/${sha}`;
    expect((await get(url, { authorization: 'Bearer dpm_a' })).status).toBe(200);

    standIn.answer.status = 401;
    const result = await relay.heartbeat.beat();
    expect(result).toEqual({ ok: false, status: 401 });
    expect(logs.filter((l) => l.includes('revoked'))).toHaveLength(1);

    const refused = await get(url, { authorization: 'Bearer dpm_a' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body.toString()).error).toEqual({ code: 'unauthorized', message: REVOKED_MESSAGE });
    const childRefused = await get(`${relay.url}/api/relay/v1/content/${sha}`, { authorization: 'Bearer dpr_child' });
    expect(childRefused.status).toBe(401);
    // Refused by the relay itself: the server is not asked.
    expect(standIn.count('HEAD', `/api/agent/v1/content/${sha}`)).toBe(1);
    const health = await get(`${relay.url}/healthz`);
    expect([health.status, JSON.parse(health.body.toString()).status]).toEqual([503, 'revoked']);

    // It keeps trying, backing off; repeated refusals are not logged again.
    expect(relay.heartbeat.nextDelay(result)).toBeLessThanOrEqual(BACKOFF.baseMs);
    await relay.heartbeat.beat();
    expect(logs.filter((l) => l.includes('revoked'))).toHaveLength(1);

    standIn.answer.status = 200;
    expect(await relay.heartbeat.beat()).toEqual({ ok: true, status: 200 });
    expect((await get(url, { authorization: 'Bearer dpm_a' })).status).toBe(200);
  });

  it('backs off with full jitter while the server is unreachable or failing, up to a cap', async () => {
    const delays: number[] = [];
    const controller = new AbortController();
    // The loop's sleep records each delay and stops the loop after six rounds.
    const { standIn, relay } = await setup({
      sleep: async (ms) => {
        delays.push(ms);
        if (delays.length === 6) controller.abort();
      },
    });
    standIn.answer.status = 503;
    await relay.heartbeat.run(controller.signal);
    expect(standIn.count('POST', '/api/relay/v1/heartbeat')).toBe(6);
    expect(delays).toEqual([2_500, 5_000, 10_000, 20_000, 40_000, 80_000]);
    await standIn.close();
    const unreachable = await relay.heartbeat.beat();
    expect(unreachable).toEqual({ ok: false });
  });
});
