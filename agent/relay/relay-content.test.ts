import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, startStandIn, startTestRelay, testBytes, type StandIn } from '../../test/helpers/relay-stand-in';
import { waitFor } from '../../test/helpers/wait-for';
import type { Relay } from './relay';
import { realRelayWorld } from './world';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Partial<Parameters<typeof startTestRelay>[1]> = {}) {
  const standIn = await startStandIn();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-'));
  cleanups.push(() => standIn.close(), () => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const started = await startTestRelay(standIn, { cacheDir, ...options });
  cleanups.push(() => started.relay.stop(1000));
  return { standIn, cacheDir, ...started };
}

const contentUrl = (relay: Relay, sha: string) => `${relay.url}/api/agent/v1/content/${sha}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tmpFiles = (cacheDir: string) => fs.readdirSync(path.join(cacheDir, 'tmp'));

/** Resolves once the relay's running fetch of this content has at least n bytes on disk. */
async function fetchedAtLeast(relay: Relay, sha: string, n: number): Promise<void> {
  for (;;) {
    const found = relay.cache.find(sha);
    if (found?.kind !== 'download') throw new Error('no fetch running');
    if (found.download.written >= n) return;
    await found.download.changed();
  }
}

describe('depot-relay content', () => {
  it('serves 20 machines that ask at once with one upstream fetch, and keeps the verified file', async () => {
    const { standIn, relay, cacheDir } = await setup();
    const bytes = testBytes(3 * 1024 * 1024 + 17);
    const sha = standIn.addContent(bytes);
    const tokens = Array.from({ length: 20 }, (_, i) => `dpm_machine-${i}`);
    for (const t of tokens) standIn.allowMachine(t, [sha]);
    standIn.behave(sha, { kind: 'stall', after: 1024 * 1024 });

    const started = standIn.bodyStarted(sha);
    const answers = tokens.map((t) => get(contentUrl(relay, sha), bearer(t)));
    await started;
    standIn.release(sha);
    for (const a of await Promise.all(answers)) {
      expect(a.status).toBe(200);
      expect(a.cut).toBe(false);
      expect(a.headers.etag).toBe(`"${sha}"`);
      expect(a.headers['x-content-sha256']).toBe(sha);
      expect(a.headers['accept-ranges']).toBe('bytes');
      expect(a.body.equals(bytes)).toBe(true);
    }
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(1);
    // Each machine is checked with its own token, once.
    expect(standIn.count('HEAD', `/api/agent/v1/content/${sha}`)).toBe(20);
    expect(fs.readFileSync(path.join(cacheDir, 'blobs', sha)).equals(bytes)).toBe(true);
    expect(tmpFiles(cacheDir)).toEqual([]);

    // Later requests come from the cache.
    const again = await get(contentUrl(relay, sha), bearer(tokens[0]));
    expect(again.body.equals(bytes)).toBe(true);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(1);
    expect(relay.stats.bytesFetched).toBe(bytes.length);
    // Counted when the relay learns the last bytes went out, a moment after the client has them.
    await waitFor(() => relay.stats.bytesServed === 21 * bytes.length);
  });

  it('answers a Range on a download in progress from what has arrived, waiting for what has not', async () => {
    const { standIn, relay } = await setup();
    const bytes = testBytes(600 * 1024, 2);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);
    standIn.behave(sha, { kind: 'stall', after: 200 * 1024 });

    // The whole content starts the fetch; it stops at 200 KiB until the stand-in is released.
    const whole = get(contentUrl(relay, sha), bearer('dpm_a'));
    await standIn.bodyStarted(sha);
    await fetchedAtLeast(relay, sha, 200 * 1024);

    // A range inside what has arrived streams at once (all but its last byte, which waits for the verification).
    const arrivedSoFar: Buffer[] = [];
    let gotEarly!: () => void;
    const early = new Promise<void>((resolve) => (gotEarly = resolve));
    const inside = get(contentUrl(relay, sha), { ...bearer('dpm_a'), range: 'bytes=1000-100999' }, {
      onResponse: (res) =>
        res.on('data', (c: Buffer) => {
          arrivedSoFar.push(c);
          if (Buffer.concat(arrivedSoFar).length === 99_999) gotEarly();
        }),
    });
    // A range beyond what has arrived waits for it.
    const beyond = get(contentUrl(relay, sha), { ...bearer('dpm_a'), range: 'bytes=400000-' });
    await early;
    expect(Buffer.concat(arrivedSoFar).equals(bytes.subarray(1000, 100_999))).toBe(true);

    standIn.release(sha);
    const [w, i, b] = await Promise.all([whole, inside, beyond]);
    expect(w.body.equals(bytes)).toBe(true);
    expect(i.status).toBe(206);
    expect(i.headers['content-range']).toBe(`bytes 1000-100999/${bytes.length}`);
    expect(i.body.equals(bytes.subarray(1000, 101_000))).toBe(true);
    expect(b.status).toBe(206);
    expect(b.headers['content-range']).toBe(`bytes 400000-${bytes.length - 1}/${bytes.length}`);
    expect(b.body.equals(bytes.subarray(400_000))).toBe(true);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(1);
  });

  it('answers a Range on finished content with 206, and 416 when it cannot be satisfied', async () => {
    const { standIn, relay } = await setup();
    const bytes = testBytes(10_000, 3);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);
    // A HEAD before anything is cached is answered from the server's answer, without a fetch.
    const cold = await get(contentUrl(relay, sha), bearer('dpm_a'), { method: 'HEAD' });
    expect([cold.status, cold.headers['content-length'], cold.headers.etag]).toEqual([200, '10000', `"${sha}"`]);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(0);
    expect((await get(contentUrl(relay, sha), bearer('dpm_a'))).status).toBe(200);

    const part = await get(contentUrl(relay, sha), { ...bearer('dpm_a'), range: 'bytes=9000-' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 9000-9999/10000');
    expect(part.body.equals(bytes.subarray(9000))).toBe(true);
    const suffix = await get(contentUrl(relay, sha), { ...bearer('dpm_a'), range: 'bytes=-10' });
    expect(suffix.body.equals(bytes.subarray(9990))).toBe(true);
    const past = await get(contentUrl(relay, sha), { ...bearer('dpm_a'), range: 'bytes=10000-' });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */10000');
    const head = await get(contentUrl(relay, sha), bearer('dpm_a'), { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '10000', 0]);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(1);
  });

  for (const fault of [
    { name: 'corrupt', then: 'corrupt' as const, error: /corrupt/ },
    { name: 'truncated', then: 'truncate' as const, error: /cut/ },
  ]) {
    it(`discards a ${fault.name} upstream copy, cuts every waiting client short, and fetches again on the next request`, async () => {
      const { standIn, relay, cacheDir } = await setup();
      const bytes = testBytes(300_000, 4);
      const sha = standIn.addContent(bytes);
      standIn.allowMachine('dpm_a', [sha]);
      // Half the content arrives and every client has its headers and first bytes; then the fault.
      standIn.behave(sha, { kind: 'stall', after: 150_000, then: fault.then });
      const responding = [1, 2, 3].map(() => {
        let responded!: () => void;
        const headers = new Promise<void>((resolve) => (responded = resolve));
        return { headers, answer: get(contentUrl(relay, sha), bearer('dpm_a'), { onResponse: () => responded() }) };
      });
      await Promise.all(responding.map((r) => r.headers));
      standIn.release(sha);

      for (const a of await Promise.all(responding.map((r) => r.answer))) {
        expect(a.status).toBe(200);
        expect(a.cut).toBe(true);
        expect(a.body.length).toBeLessThan(bytes.length);
      }
      expect(relay.cache.find(sha)).toBeNull();
      expect(fs.existsSync(path.join(cacheDir, 'blobs', sha))).toBe(false);
      expect(tmpFiles(cacheDir)).toEqual([]);
      expect(relay.stats.lastError).toMatch(fault.error);

      standIn.behave(sha, { kind: 'ok' });
      const next = await get(contentUrl(relay, sha), bearer('dpm_a'));
      expect([next.status, next.cut, next.body.equals(bytes)]).toEqual([200, false, true]);
      expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(2);
    });
  }

  it('refuses with 502, not a cut connection, a client that had no byte yet when the upstream copy failed', async () => {
    const { standIn, relay } = await setup();
    const bytes = testBytes(300_000, 6);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);
    // The upstream answers with headers and no byte, then its connection dies.
    standIn.behave(sha, { kind: 'truncate', after: 0 });
    const answers = await Promise.all([1, 2, 3].map(() => get(contentUrl(relay, sha), bearer('dpm_a'))));
    for (const a of answers) {
      expect(a.status).toBe(502);
      expect(JSON.parse(a.body.toString()).error).toMatchObject({ code: 'upstream_unavailable', message: expect.stringMatching(/download from the managing server/) });
    }
    expect(relay.cache.find(sha)).toBeNull();
  });

  it('refuses content whose upstream fails before sending it, with the status a client can act on', async () => {
    const { standIn, relay } = await setup();
    const sha = standIn.addContent(testBytes(1000, 5));
    standIn.allowMachine('dpm_a', [sha]);
    standIn.behave(sha, { kind: 'status', status: 500 });
    const res = await get(contentUrl(relay, sha), bearer('dpm_a'));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body.toString()).error.code).toBe('upstream_unavailable');
    expect(relay.stats.lastError).toMatch(/answered 500/);
  });

  it('deletes a download left in tmp/ by a killed relay at start, and never serves it', async () => {
    const standIn = await startStandIn();
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-'));
    cleanups.push(() => standIn.close(), () => fs.rmSync(cacheDir, { recursive: true, force: true }));
    const bytes = testBytes(50_000, 6);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);
    // What a relay killed mid-download leaves: the first half of the right bytes, under tmp/.
    fs.mkdirSync(path.join(cacheDir, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'tmp', `${sha}.abc123`), bytes.subarray(0, 25_000));

    const { relay, logs } = await startTestRelay(standIn, { cacheDir });
    cleanups.push(() => relay.stop(1000));
    expect(tmpFiles(cacheDir)).toEqual([]);
    expect(logs.some((l) => l.includes('removed 1 unfinished download'))).toBe(true);
    expect(relay.cache.held()).toEqual([]);

    const res = await get(contentUrl(relay, sha), bearer('dpm_a'));
    expect([res.status, res.cut, res.body.equals(bytes)]).toEqual([200, false, true]);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(1);
  });

  it('answers 503 with Retry-After beyond its client cap, and serves the clients it took', async () => {
    const { standIn, relay } = await setup({ maxClients: 2 });
    const bytes = testBytes(100_000, 7);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);
    standIn.behave(sha, { kind: 'stall', after: 10_000 });

    let headers = 0;
    let bothIn!: () => void;
    const twoRunning = new Promise<void>((resolve) => (bothIn = resolve));
    const onResponse = () => ++headers === 2 && bothIn();
    const first = [1, 2].map(() => get(contentUrl(relay, sha), bearer('dpm_a'), { onResponse }));
    await twoRunning;

    const refused = await get(contentUrl(relay, sha), bearer('dpm_a'));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(2);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(JSON.parse(refused.body.toString()).error).toEqual({ code: 'unavailable', message: expect.stringContaining('maximum of 2 clients') });
    expect(relay.stats.refused).toBe(1);

    standIn.release(sha);
    for (const a of await Promise.all(first)) expect([a.status, a.cut, a.body.equals(bytes)]).toEqual([200, false, true]);
    // Room again once they finished.
    expect((await get(contentUrl(relay, sha), bearer('dpm_a'))).status).toBe(200);
  });

  it('answers /healthz with up or down to anyone, and its figures only with its own token', async () => {
    const { relay, token } = await setup();
    const anonymous = await get(`${relay.url}/healthz`);
    expect(anonymous.status).toBe(200);
    expect(JSON.parse(anonymous.body.toString())).toEqual({ status: 'ok' });
    const own = await get(`${relay.url}/healthz`, bearer(token));
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body.toString())).toMatchObject({ status: 'ok', version: 'test', activeClients: 0, maxClients: 200, bytesServed: 0, refused: 0, lastError: null });
    for (const wrong of [bearer('dpr_someone-else'), bearer(`${token}x`), { authorization: token }]) {
      const res = await get(`${relay.url}/healthz`, wrong);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body.toString())).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer <relay token>') } });
    }
    expect((await get(`${relay.url}/elsewhere`)).status).toBe(404);
  });

  it('gives a client slot only after the server authorized the request', async () => {
    // The server is slow to refuse the bad tokens: their checks wait until the test lets them go.
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    let held = 0;
    let allHeld!: () => void;
    const fiveHeld = new Promise<void>((resolve) => (allHeld = resolve));
    const real = realRelayWorld().fetch;
    const slowRefusals: typeof fetch = async (input, init) => {
      const auth = (init?.headers as Record<string, string> | undefined)?.authorization ?? '';
      if (init?.method === 'HEAD' && auth.startsWith('Bearer dpm_bad')) {
        if (++held === 5) allHeld();
        await gate;
      }
      return real(input, init);
    };
    const { standIn, relay } = await setup({ maxClients: 2, world: { fetch: slowRefusals } });
    const bytes = testBytes(20_000, 8);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_a', [sha]);

    const bad = Array.from({ length: 5 }, (_, i) => get(contentUrl(relay, sha), bearer(`dpm_bad-${i}`)));
    // (Without the fix, two of them took the slots and the rest were turned away at once.)
    await Promise.race([fiveHeld, Promise.any(bad)]);
    // Five requests wait on their checks, and the cap is two: the machine that may have it is served.
    const ok = await get(contentUrl(relay, sha), bearer('dpm_a'));
    expect([ok.status, ok.body.equals(bytes)]).toEqual([200, true]);
    letGo();
    expect((await Promise.all(bad)).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(relay.stats.refused).toBe(0);
  });
});
