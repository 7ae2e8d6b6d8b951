import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, startStandIn, startTestRelay, testBytes } from '../../test/helpers/relay-stand-in';
import { Authorizer } from './authorizer';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const standIn = await startStandIn();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-'));
  cleanups.push(() => standIn.close(), () => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const started = await startTestRelay(standIn, { cacheDir, authTtlMs: 60_000 });
  cleanups.push(() => started.relay.stop(1000));
  const bytes = testBytes(5000, 9);
  const sha = standIn.addContent(bytes);
  return { standIn, bytes, sha, ...started };
}

describe('depot-relay authorization', () => {
  it("asks the managing server with the machine's own token once per minute, not on every request", async () => {
    const { standIn, relay, sha, bytes, clock } = await setup();
    standIn.allowMachine('dpm_a', [sha]);
    const url = `${relay.url}/api/agent/v1/content/${sha}`;
    const head = `/api/agent/v1/content/${sha}`;

    expect((await get(url, { authorization: 'Bearer dpm_a' })).body.equals(bytes)).toBe(true);
    expect(standIn.count('HEAD', head)).toBe(1);
    clock.offset += 59_000;
    expect((await get(url, { authorization: 'Bearer dpm_a' })).status).toBe(200);
    expect(standIn.count('HEAD', head)).toBe(1);
    clock.offset += 2_000;
    expect((await get(url, { authorization: 'Bearer dpm_a' })).status).toBe(200);
    expect(standIn.count('HEAD', head)).toBe(2);
  });

  it('passes a 404 and a 401 from the server through, remembers them for 15 s, then asks again', async () => {
    const { standIn, relay, sha, clock } = await setup();
    standIn.allowMachine('dpm_other', []);
    const url = `${relay.url}/api/agent/v1/content/${sha}`;
    const head = `/api/agent/v1/content/${sha}`;

    for (const expected of [1, 1, 2]) {
      const notAssigned = await get(url, { authorization: 'Bearer dpm_other' });
      expect(notAssigned.status).toBe(404);
      expect(JSON.parse(notAssigned.body.toString()).error.code).toBe('not_found');
      expect(standIn.count('HEAD', head)).toBe(expected);
      clock.offset += 8_000;
    }
    const unknown = await get(url, { authorization: 'Bearer dpm_unknown' });
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.body.toString()).error).toEqual({ code: 'unauthorized', message: "The managing server refused this machine's token." });
    // No token at all is refused without asking.
    expect((await get(url)).status).toBe(401);
    expect(standIn.count('HEAD', head)).toBe(3);
    // Nothing was fetched for anyone refused.
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(0);
  });

  it('turns a flood of requests with one bad token into one request to the server, for any content', async () => {
    const { standIn, relay, sha, clock } = await setup();
    const other = standIn.addContent(testBytes(100, 4));
    const heads = () => standIn.count('HEAD', `/api/agent/v1/content/${sha}`) + standIn.count('HEAD', `/api/agent/v1/content/${other}`);
    for (let i = 0; i < 100; i++) {
      const res = await get(`${relay.url}/api/agent/v1/content/${i % 2 ? other : sha}`, { authorization: 'Bearer dpm_flood' });
      expect(res.status).toBe(401);
    }
    const at = await Promise.all(Array.from({ length: 100 }, () => get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_flood' })));
    expect(at.every((r) => r.status === 401)).toBe(true);
    expect(heads()).toBe(1);
    // Briefly: once the 15 s are over, the token gets its answer from the server again.
    clock.offset += 16_000;
    standIn.allowMachine('dpm_flood', [sha]);
    expect((await get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_flood' })).status).toBe(200);
    expect(heads()).toBe(2);
  });

  it('sends at most 32 checks to the server at once: a flood of different bad tokens beyond that gets 503 with Retry-After', async () => {
    const { standIn, relay, sha } = await setup();
    const release = standIn.holdChecks();
    let settled = 0;
    let eightSettled!: () => void;
    const eight = new Promise<void>((resolve) => (eightSettled = resolve));
    const all = Array.from({ length: 40 }, (_, i) =>
      get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: `Bearer dpm_flood-${i}` }).then((r) => {
        if (++settled === 8) eightSettled();
        return r;
      }),
    );
    await eight; // the 8 beyond the cap are answered while the 32 checks are held at the server
    release();
    const answers = await Promise.all(all);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBe(8);
    expect(busy.every((r) => Number(r.headers['retry-after']) >= 2)).toBe(true);
    expect(answers.filter((r) => r.status === 401).length).toBe(32);
    expect(standIn.count('HEAD', `/api/agent/v1/content/${sha}`)).toBe(32);
    // A busy answer is not remembered: once the flood is over the next check reaches the server.
    const turnedAway = answers.findIndex((r) => r.status === 503);
    expect((await get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: `Bearer dpm_flood-${turnedAway}` })).status).toBe(401);
    expect(standIn.count('HEAD', `/api/agent/v1/content/${sha}`)).toBe(33);
  }, 15_000);

  it("serves a child relay on the relay API after checking the child's relay token with the server", async () => {
    const { standIn, relay, sha, bytes } = await setup();
    standIn.relayTokens.add('dpr_child');
    const url = `${relay.url}/api/relay/v1/content/${sha}`;
    const ok = await get(url, { authorization: 'Bearer dpr_child' });
    expect([ok.status, ok.body.equals(bytes)]).toEqual([200, true]);
    expect((await get(url, { authorization: 'Bearer dpr_revoked' })).status).toBe(401);
    expect(standIn.count('HEAD', `/api/relay/v1/content/${sha}`)).toBe(2);
    // A machine token is no relay token.
    standIn.allowMachine('dpm_a', [sha]);
    expect((await get(url, { authorization: 'Bearer dpm_a' })).status).toBe(401);
  });

  it('never writes a token in its log', async () => {
    const { standIn, relay, sha, logs, token } = await setup();
    standIn.allowMachine('dpm_secret-machine', [sha]);
    await get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_secret-machine' });
    await relay.heartbeat.beat();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain('dpm_secret-machine');
    expect(logs.join('\n')).not.toContain(token);
  });
});

describe('Authorizer', () => {
  it('keeps at most maxEntries refusals, and never remembers an unreachable server', async () => {
    const standIn = await startStandIn();
    cleanups.push(() => standIn.close());
    const sha = standIn.addContent(testBytes(10, 5));
    const auth = new Authorizer({ server: standIn.url, fetch, now: Date.now, maxEntries: 3 });
    for (let i = 0; i < 10; i++) expect(await auth.check('machine', `Bearer dpm_bad-${i}`, sha)).toMatchObject({ ok: false, status: 401 });
    expect(auth.refusals).toBe(3);
    const down = new Authorizer({ server: 'http://127.0.0.1:1', fetch, now: Date.now });
    expect(await down.check('machine', 'Bearer dpm_a', sha)).toMatchObject({ ok: false, status: 502 });
    expect(down.refusals).toBe(0);
  });

  it('shares one request among identical checks in flight and keeps at most maxEntries answers', async () => {
    const standIn = await startStandIn();
    cleanups.push(() => standIn.close());
    const shas = [1, 2, 3].map((i) => standIn.addContent(testBytes(10, i)));
    standIn.allowMachine('dpm_a', shas);
    const auth = new Authorizer({ server: standIn.url, fetch, now: Date.now, maxEntries: 2 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => auth.check('machine', 'Bearer dpm_a', shas[0])));
    expect(answers.every((a) => a.ok && a.size === 10)).toBe(true);
    expect(standIn.count('HEAD', `/api/agent/v1/content/${shas[0]}`)).toBe(1);
    await auth.check('machine', 'Bearer dpm_a', shas[1]);
    await auth.check('machine', 'Bearer dpm_a', shas[2]);
    expect(auth.size).toBe(2);
    // The oldest answer went first.
    await auth.check('machine', 'Bearer dpm_a', shas[0]);
    expect(standIn.count('HEAD', `/api/agent/v1/content/${shas[0]}`)).toBe(2);
  });
});
