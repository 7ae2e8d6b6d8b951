import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFetch } from '../shared/node-fetch';
import { closedPortUrl, sha256Of, startContentStandIn, type ContentStandIn } from './content-stand-in';
import { downloadContent, IntegrityError, type DownloadOptions } from './download';
import { FailedRelays } from './failed-relays';

// Big enough to arrive in many chunks, so a cut lands in the middle of the body.
const content = crypto.randomBytes(300_000);
const other = crypto.randomBytes(50_000);
const sha = sha256Of(content);
const otherSha = sha256Of(other);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function standIn(...args: Parameters<typeof startContentStandIn>): Promise<ContentStandIn> {
  const s = await startContentStandIn(...args);
  cleanup.push(() => s.close());
  return s;
}

function downloadsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-download-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A relay and the server, both real HTTP servers holding both contents. */
async function world() {
  const relay = await standIn([content, other]);
  const server = await standIn([content, other]);
  const clock = { now: Date.parse('2027-01-01T00:00:00Z') };
  const failedRelays = new FailedRelays(() => clock.now, 5 * 60_000);
  const dir = downloadsDir();
  const download = (extra: Partial<DownloadOptions> = {}) =>
    downloadContent({
      url: server.contentUrl(extra.sha256 ?? sha),
      relays: [{ name: 'berlin', url: relay.url }],
      token: 'dpm_machine',
      sha256: sha,
      size: content.length,
      dir,
      fetch: nodeFetch,
      failedRelays,
      relayTimeoutMs: 300,
      // Long, so a fallback that waited for it instead of the relay timeout would fail the test.
      idleTimeoutMs: 20_000,
      ...extra,
    });
  return { relay, server, clock, failedRelays, dir, download };
}

const stored = (dir: string, name = sha) => fs.readFileSync(path.join(dir, name));

describe('downloadContent from relays, falling back to the server', () => {
  it('downloads from the relay with the machine’s own token and reports the relay', async () => {
    const { relay, server, dir, download } = await world();
    const result = await download();
    expect(result).toMatchObject({ source: 'relay:berlin', fetched: content.length, resumedFrom: 0, passedOver: [] });
    expect(stored(dir).equals(content)).toBe(true);
    expect(relay.requests).toEqual([{ sha256: sha, range: null, authorization: 'Bearer dpm_machine' }]);
    expect(server.requests).toEqual([]);
    expect(fs.existsSync(path.join(dir, `${sha}.part`))).toBe(false);
  });

  it('downloads from the server when the plan lists no relays (an older plan)', async () => {
    const { relay, server, dir, download } = await world();
    const result = await download({ relays: undefined });
    expect(result).toMatchObject({ source: 'server', passedOver: [] });
    expect(stored(dir).equals(content)).toBe(true);
    expect(relay.requests).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('falls back to the server when the relay refuses the connection', async () => {
    const { server, dir, download } = await world();
    const closed = await closedPortUrl();
    const result = await download({ relays: [{ name: 'berlin', url: closed }] });
    expect(result.source).toBe('server');
    expect(result.passedOver).toEqual([expect.stringMatching(/^relay:berlin cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/)]);
    expect(stored(dir).equals(content)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('falls back within the relay timeout when the relay sends no headers', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { stallBeforeHeaders: true };
    const started = performance.now();
    const result = await download();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(5_000);
    expect(result).toMatchObject({ source: 'server', passedOver: ['relay:berlin sent no response headers within 0.3 s'] });
    expect(relay.requests).toHaveLength(1);
    expect(server.requests).toEqual([{ sha256: sha, range: null, authorization: 'Bearer dpm_machine' }]);
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('moves on from a relay answering 503 and passes it over on the next download until its rest ends', async () => {
    const { relay, server, clock, dir, download } = await world();
    relay.misbehave = { status: 503 };
    const first = await download();
    expect(first.source).toBe('server');
    expect(first.passedOver).toEqual([expect.stringMatching(/^relay:berlin answered 503: /)]);
    expect(relay.requests).toHaveLength(1);

    // Four minutes later: another download goes straight to the server, without waiting on the relay.
    clock.now += 4 * 60_000;
    const second = await download({ sha256: otherSha, size: other.length, url: server.contentUrl(otherSha) });
    expect(second).toMatchObject({ source: 'server', passedOver: ['relay:berlin failed recently and was skipped'] });
    expect(relay.requests).toHaveLength(1);
    expect(stored(dir, otherSha).equals(other)).toBe(true);

    // After the rest, the relay (healthy again) is asked first again.
    fs.rmSync(path.join(dir, otherSha));
    relay.misbehave = {};
    clock.now += 2 * 60_000;
    expect((await download({ sha256: otherSha, size: other.length, url: server.contentUrl(otherSha) })).source).toBe('relay:berlin');
    expect(relay.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.sha256)).toEqual([sha, otherSha]);
  });

  it('moves on from a relay that refuses with 401 (revoked) to the server', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { status: 401 };
    const result = await download();
    expect(result.source).toBe('server');
    expect(result.passedOver).toEqual([expect.stringMatching(/^relay:berlin answered 401: /)]);
    expect(server.requests).toHaveLength(1);
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('moves on from a relay’s 404 without passing it over for other content; a 404 from the server is final', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { status: 404 };
    expect((await download()).source).toBe('server');
    relay.misbehave = {};
    expect((await download({ sha256: otherSha, size: other.length, url: server.contentUrl(otherSha) })).source).toBe('relay:berlin');

    const unknown = crypto.randomBytes(100);
    const unknownSha = sha256Of(unknown);
    await expect(download({ sha256: unknownSha, size: unknown.length, url: server.contentUrl(unknownSha) })).rejects.toThrow(
      /^the server answered 404: .*\(before it, relay:berlin answered 404: .*\)$/,
    );
    expect(fs.readdirSync(dir).sort()).toEqual([otherSha, sha].sort());
  });

  it('resumes on the server with Range from the bytes on disk when the relay’s body stalls', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { pauseAt: 100_000 };
    const result = await download({ idleTimeoutMs: 300 });
    expect(result).toMatchObject({ source: 'relay:berlin→server', resumedFrom: 0, fetched: content.length });
    expect(result.passedOver).toEqual(['relay:berlin cut the download at 100000 of 300000 bytes (no data for 0.3 s)']);
    expect(server.requests).toEqual([{ sha256: sha, range: 'bytes=100000-', authorization: 'Bearer dpm_machine' }]);
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('resumes on the server after the relay drops the connection mid-way', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { cutAt: 120_000 };
    const result = await download();
    expect(result.source).toBe('relay:berlin→server');
    expect(result.passedOver).toEqual([expect.stringMatching(/^relay:berlin cut the download at \d+ of 300000 bytes/)]);
    // Whatever reached the disk before the cut is kept: the server is asked for the rest only.
    const from = Number(/^bytes=(\d+)-$/.exec(server.requests[0].range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(120_000);
    expect(result.passedOver[0]).toContain(`at ${from} of`);
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('tries the relays nearest first, and the next relay continues what the first one cut', async () => {
    const { relay, server, dir, download } = await world();
    const parent = await standIn([content]);
    relay.misbehave = { pauseAt: 50_000 };
    const result = await download({ idleTimeoutMs: 300, relays: [{ name: 'berlin', url: relay.url }, { name: 'frankfurt', url: `${parent.url}/` }] });
    expect(result.source).toBe('relay:berlin→relay:frankfurt');
    expect(parent.requests).toEqual([{ sha256: sha, range: 'bytes=50000-', authorization: 'Bearer dpm_machine' }]);
    expect(server.requests).toEqual([]);
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('fails integrity on a corrupted byte from the relay and deletes the part file, asking no one else', async () => {
    const { relay, server, dir, download, failedRelays } = await world();
    relay.misbehave = { corruptAt: 1234 };
    const error = await download().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toMatch(/^integrity failure: the content's SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64} \(served by relay:berlin\); the file was deleted$/);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(server.requests).toEqual([]);
    // A relay that served bad bytes is passed over for a while.
    expect(failedRelays.isResting(relay.url)).toBe(true);
  });

  it('never silently mixes: a corrupted byte before a relay cut fails the whole file after the server’s rest', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { corruptAt: 10, pauseAt: 100_000 };
    await expect(download({ idleTimeoutMs: 300 })).rejects.toThrow(/\(served by relay:berlin→server\); the file was deleted$/);
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=100000-']);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes a whole answer when it asked for the rest, and starts the file over from it', async () => {
    const { relay, server, dir, download } = await world();
    fs.writeFileSync(path.join(dir, `${sha}.part`), content.subarray(0, 1000));
    relay.misbehave = { ignoreRange: true };
    const result = await download();
    expect(result).toMatchObject({ source: 'relay:berlin', resumedFrom: 0, fetched: content.length });
    expect(relay.requests[0].range).toBe('bytes=1000-');
    expect(server.requests).toEqual([]);
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('leaves the part file for the next try when every source fails, and says what each did', async () => {
    const { relay, server, dir, download } = await world();
    relay.misbehave = { pauseAt: 100_000 };
    server.misbehave = { status: 503 };
    await expect(download({ idleTimeoutMs: 300 })).rejects.toThrow(
      /^the server answered 503: .* \(before it, relay:berlin cut the download at 100000 of 300000 bytes \(no data for 0\.3 s\)\); it resumes on the next try$/,
    );
    expect(fs.statSync(path.join(dir, `${sha}.part`)).size).toBe(100_000);
    // Next try: the relay rests, the server is back, and it continues from the part file.
    server.misbehave = {};
    const result = await download();
    expect(result).toMatchObject({ source: 'server', resumedFrom: 100_000, fetched: 200_000, passedOver: ['relay:berlin failed recently and was skipped'] });
    expect(server.requests.at(-1)?.range).toBe('bytes=100000-');
    expect(stored(dir).equals(content)).toBe(true);
  });

  it('stops at once when the agent stops, without trying the next source', async () => {
    const { relay, server, download } = await world();
    relay.misbehave = { stallBeforeHeaders: true };
    const stop = new AbortController();
    const pending = download({ signal: stop.signal, relayTimeoutMs: 10_000 });
    await waitUntil(() => relay.requests.length === 1);
    stop.abort(new Error('the agent is stopping'));
    await expect(pending).rejects.toThrow('the agent is stopping');
    expect(server.requests).toEqual([]);
  });
});

/** Polls a condition the test cannot await directly (a request arriving at a real server). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not met');
}
