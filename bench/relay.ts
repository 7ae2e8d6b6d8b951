/**
 * Relay systems, with a real server, the built depot-relay binary and real HTTP with machine
 * tokens, on the same 2-core machine as the client:
 *
 * (P5) A 1 GiB package of random bytes, prefetched onto the relay with a transfer order, then
 *      downloaded by 200 machines at once from the relay, each a curl process of its own (see
 *      download-crowd.ts for why curl). Its aggregate throughput beside `cat` of
 *      the relay's own cached file in the same run, one `cat` and as many concurrent `cat`s as
 *      downloads, and beside the same crowd served by a bare sendfile server (bare-sendfile-server.ts:
 *      the machine's ceiling for loopback HTTP); the relay's RSS sampled every 100 ms (idle, peak, end).
 * (P6) Bytes the origin (the managing server) served against bytes the relay served: one machine
 *      downloads a package first (the relay fetches it once), then 50 more download it.
 *
 * BENCH_RELAY_CLIENTS (200), BENCH_RELAY_BYTES (1GiB), BENCH_RELAY_P6_AGENTS (50) and
 * BENCH_RELAY_P6_BYTES (64MiB) change the sizes.
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { uploadPackage } from '../agent/pack/upload';
import { parseBytes } from '../agent/relay/units';
import { startBareSendfileServer } from './bare-sendfile-server';
import { childrenCpuSeconds, cpuSeconds } from './proc-stat';
import { formatBytes } from '../lib/format-bytes';
import { createSecret } from '../test/helpers/agent';
import { demoAdmin } from '../test/helpers/demo';
import { api, mustSignIn, type Session } from '../test/helpers/http';
import { requireFreshBundles, startRelayProcess, type RelayProcess } from '../test/helpers/relay-process';
import { freePort, projectDir, startServer, type TestServer } from '../test/helpers/server';
import { waitForAsync } from '../test/helpers/wait-for';

const CLIENTS = Number(process.env.BENCH_RELAY_CLIENTS ?? 200);
const BYTES = sizeFromEnv('BENCH_RELAY_BYTES', '1GiB');
const P6_AGENTS = Number(process.env.BENCH_RELAY_P6_AGENTS ?? 50);
const P6_BYTES = sizeFromEnv('BENCH_RELAY_P6_BYTES', '64MiB');

function sizeFromEnv(name: string, fallback: string): number {
  const bytes = parseBytes(process.env[name] ?? fallback);
  if (!bytes) throw new Error(`${name}: expected a size such as 1GiB or 256MiB`);
  return bytes;
}

interface Health {
  bytesServed: number;
  bytesFetched: number;
  refused: number;
  startedAt?: string;
}

/** VmRSS of a process every 100 ms, with marks to split the samples into phases. */
class RssSampler {
  readonly samples: number[] = [];
  private readonly marks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  sample(): number {
    const kib = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? 0);
    this.samples.push(kib);
    return kib;
  }

  mark(name: string): void {
    this.marks.set(name, this.samples.length);
  }

  /** The samples between two marks. */
  between(from: string, to: string): number[] {
    return this.samples.slice(this.marks.get(from)!, this.marks.get(to));
  }

  /** The highest sample between two marks. */
  peak(from: string, to: string): number {
    return Math.max(...this.between(from, to));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function writeRandomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    // Fresh random bytes per MiB: nothing on the way can compress or deduplicate them.
    for (let left = bytes; left > 0; left -= 1024 * 1024) fs.writeSync(fd, crypto.randomBytes(Math.min(left, 1024 * 1024)));
  } finally {
    fs.closeSync(fd);
  }
}

/** Downloads the URL once per token at the same time, from a separate process; see download-crowd.ts. */
function crowd(url: string, tokens: string[], size: number): Promise<{ seconds: number; bytes: number; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectDir, 'bench/download-crowd.ts')], { cwd: projectDir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the download crowd failed (${code}): ${err}`))));
    child.stdin.end(JSON.stringify({ url, tokens, size }));
  });
}

async function seconds(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}


/** `count` cats of the file at once, each to /dev/null, from one shell (no Node in the way): wall and CPU seconds. */
async function cats(file: string, count: number): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu0 = childrenCpuSeconds();
  const wall = await seconds(() => execFileSync('sh', ['-c', `i=0; while [ $i -lt ${count} ]; do cat "$1" > /dev/null & i=$((i+1)); done; wait`, 'sh', file]));
  return { seconds: wall, cpuSeconds: childrenCpuSeconds() - cpu0 };
}

async function enrollMachines(server: TestServer, secret: string, count: number): Promise<{ id: string; token: string }[]> {
  const machines: { id: string; token: string }[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, (_, j) =>
      api<{ machineId: string; token: string }>(server.url, '/api/agent/v1/enroll', { method: 'POST', json: { secret, hostname: `relay-bench-${i + j}`, timeZone: 'UTC' } }),
    );
    for (const res of await Promise.all(batch)) {
      if (res.status !== 201) throw new Error(`enrol: ${res.status} ${JSON.stringify(res.body)}`);
      machines.push({ id: res.body.machineId, token: res.body.token });
    }
  }
  return machines;
}

async function must<T>(what: string, res: Promise<{ status: number; body: T }>, status = 201): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function benchRelay(): Promise<string[]> {
  requireFreshBundles();
  const benchStarted = performance.now();
  const load0 = os.loadavg();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-bench-'));
  let server: TestServer | undefined;
  let relay: RelayProcess | undefined;
  let sampler: RssSampler | undefined;
  try {
    const bigFile = path.join(dir, 'payload.bin');
    const smallFile = path.join(dir, 'p6.bin');
    writeRandomFile(bigFile, BYTES);
    writeRandomFile(smallFile, P6_BYTES);

    server = await startServer({ pglite: true, env: { DEPOT_MAX_PACKAGE_SIZE: `${Math.ceil(BYTES / 2 ** 20) + 16}MiB` } });
    const admin: Session = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const post = <T>(p: string, json: unknown, status = 201) => must<T>(p, api<T>(server!.url, p, { method: 'POST', session: admin, json }), status);
    const token = (await post<{ token: { token: string } }>('/api/tokens', { name: 'bench', role: 'deployer' })).token.token;
    await post('/api/cabinets', { name: 'bench' });
    const upload = (file: string, packageId: string) => uploadPackage({ server: server!.url, token, cabinet: 'bench', file, manifest: { packageId, displayName: packageId, version: '1', installer: { kind: 'script' } } });
    const big = await upload(bigFile, 'relay-bench-big');
    const small = await upload(smallFile, 'relay-bench-small');

    const machines = await enrollMachines(server, await createSecret(server.url, admin, 'relay bench'), Math.max(CLIENTS, P6_AGENTS + 1));
    const group = (await post<{ group: { id: string } }>('/api/groups', { name: 'Relay bench' })).group.id;
    await post(`/api/groups/${group}/members`, { machineIds: machines.map((m) => m.id) }, 200);
    // The jobs are what lets each machine's token have the content (the relay asks the server).
    for (const pkg of [big, small]) await post('/api/jobs', { kind: 'install', packageId: pkg.id, machineIds: machines.map((m) => m.id), timing: 'asap' });

    const port = await freePort();
    const registered = (await post<{ relay: { id: string; token: string } }>('/api/relays', { name: 'bench', url: `http://127.0.0.1:${port}` })).relay;
    await must('relay of the group', api(server.url, `/api/groups/${group}/relay`, { method: 'PUT', session: admin, json: { relayId: registered.id } }), 200);
    const cacheDir = path.join(dir, 'relay-cache');
    relay = await startRelayProcess(
      ['--server', server.url, '--listen', `127.0.0.1:${port}`, '--cache', cacheDir, '--max-clients', String(Math.max(CLIENTS, P6_AGENTS)), '--cache-size', String(2 * (BYTES + P6_BYTES)), '--heartbeat', '1s'],
      { DEPOT_RELAY_TOKEN: registered.token },
      // BENCH_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the relay (written when it stops).
      process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean),
    );
    const reported = async () => (await api<{ relay: { health: Health } }>(server!.url, `/api/relays/${registered.id}`, { session: admin })).body.relay.health;
    await waitForAsync(async () => (await reported()).startedAt !== undefined, 20_000);
    sampler = new RssSampler(relay.pid);
    const rssStart = sampler.sample();

    // (P5) Transfer to relay, then every client at once.
    sampler.mark('prefetch');
    const order = (await post<{ orders: { id: string }[] }>(`/api/relays/${registered.id}/orders`, { kind: 'prefetch', packageId: big.id })).orders[0].id;
    const prefetch = await seconds(() =>
      waitForAsync(async () => {
        const o = (await api<{ relay: { orders: { id: string; state: string; error: string | null }[] } }>(server!.url, `/api/relays/${registered.id}`, { session: admin })).body.relay.orders.find((x) => x.id === order)!;
        if (o.state === 'failed') throw new Error(`prefetch failed: ${o.error}`);
        return o.state === 'done';
      }, 600_000),
    );
    const logTime = (what: string) => Date.parse(new RegExp(`^(\\S+) ${what} ${big.sha256.slice(0, 12)}`, 'm').exec(relay!.output())?.[1] ?? '');
    const fetchSeconds = (logTime('stored') - logTime('fetching')) / 1000;
    const blob = path.join(cacheDir, 'blobs', big.sha256);
    if (fs.statSync(blob).size !== BYTES) throw new Error('the prefetched file has the wrong size');
    execFileSync('sh', ['-c', 'cat "$1" > /dev/null', 'sh', blob]); // in the page cache, as the relay will find it
    sampler.mark('idle');
    const rssIdle = sampler.sample();

    const catOne: number[] = [];
    for (let i = 0; i < 3; i++) catOne.push((await cats(blob, 1)).seconds);
    const catManyBefore = await cats(blob, CLIENTS);
    const healthBefore = await relayHealth(relay.url, registered.token);
    const loadBefore = os.loadavg()[0];
    const relayCpu0 = cpuSeconds(relay.pid);
    sampler.mark('downloads');
    const url = `${relay.url}/api/agent/v1/content/${big.sha256}`;
    const downloads = await crowd(url, machines.slice(0, CLIENTS).map((m) => m.token), BYTES).catch((error: Error) => {
      throw new Error(`${error.message}\nthe relay's last lines:\n${relay!.output().split('\n').slice(-15).join('\n')}`);
    });
    sampler.mark('after');
    const during = sampler.between('downloads', 'after');
    const relayCpu = cpuSeconds(relay.pid) - relayCpu0;
    const { seconds: wall, cpuSeconds: clientCpu } = downloads;
    const loadDuring = os.loadavg()[0];
    const serving = /cached files go out (by sendfile\(2\)|through JavaScript)/.exec(relay.output())?.[1] ?? 'serving path not logged';
    const healthAfter = await relayHealth(relay.url, registered.token);
    // The same crowd against the bare sendfile server of the same file: the machine's ceiling.
    const bare = await startBareSendfileServer(blob);
    const ceiling = await crowd(bare.url, machines.slice(0, CLIENTS).map((m) => m.token), BYTES).finally(() => bare.close());
    const catManyAfter = await cats(blob, CLIENTS);
    // Settled: what the relay keeps once the crowd has gone.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rssEnd = sampler.sample();

    // (P6) One machine first (the relay's one fetch from the origin), then the rest at once.
    const p6Url = `${relay.url}/api/agent/v1/content/${small.sha256}`;
    const before6 = await relayHealth(relay.url, registered.token);
    await crowd(p6Url, [machines[0].token], P6_BYTES);
    const afterFirst = await relayHealth(relay.url, registered.token);
    await crowd(p6Url, machines.slice(1, P6_AGENTS + 1).map((m) => m.token), P6_BYTES);
    const after6 = await relayHealth(relay.url, registered.token);
    // The same figures as the server has them from the relay's heartbeat.
    await waitForAsync(async () => (await reported()).bytesServed === after6.bytesServed, 20_000);
    const viaServer = await reported();
    sampler.stop();

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const total = CLIENTS * BYTES;
    const rate = (bytes: number, s: number) => `${formatBytes(bytes / s)}/s`;
    const cat1 = median(catOne);
    const catN = (catManyBefore.seconds + catManyAfter.seconds) / 2;
    const catCpu = (catManyBefore.cpuSeconds + catManyAfter.cpuSeconds) / 2;
    const relayRate = total / wall;
    const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
    const origin6 = after6.bytesFetched - before6.bytesFetched;
    const served6 = after6.bytesServed - before6.bytesServed;
    const originLater = after6.bytesFetched - afterFirst.bytesFetched;
    const servedLater = after6.bytesServed - afterFirst.bytesServed;
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    const load1 = os.loadavg();
    return [
      `  relay bench: ${CLIENTS} clients × ${formatBytes(BYTES)} (P5), 1 + ${P6_AGENTS} × ${formatBytes(P6_BYTES)} (P6); ${((performance.now() - benchStarted) / 1000).toFixed(0)} s in all`,
      `  relay bench: load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${loadBefore.toFixed(2)} before the downloads, ${loadDuring.toFixed(2)} after them, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end (${os.cpus().length} cores)`,
      `  (P5) transfer to relay of ${formatBytes(BYTES)}: the fetch (server → relay, SHA-256 verified, fsynced) ${fetchSeconds.toFixed(2)} s, ${rate(BYTES, fetchSeconds)}; order to done on the page ${prefetch.toFixed(2)} s (two heartbeats of 1 s)`,
      `       ${CLIENTS} concurrent downloads of ${formatBytes(BYTES)} from the relay (machine tokens, every size checked): ${wall.toFixed(2)} s, ${rate(total, wall)} in all, ${rate(BYTES, wall)} each; ${healthAfter.refused - healthBefore.refused} refused`,
      `       CPU during the downloads: relay ${relayCpu.toFixed(1)} s (${((relayCpu / wall) * 100).toFixed(0)} % of a core, ${(relayCpu / (total / 2 ** 30)).toFixed(3)} s per GiB; ${serving}), the clients (a curl each) ${clientCpu.toFixed(1)} s (${((clientCpu / wall) * 100).toFixed(0)} %)`,
      `       ${CLIENTS} concurrent cat of the relay's cached file > /dev/null: ${catN.toFixed(2)} s (${catManyBefore.seconds.toFixed(2)} before, ${catManyAfter.seconds.toFixed(2)} after), ${rate(total, catN)}  → relay at ${((relayRate / (total / catN)) * 100).toFixed(0)} % of it (the goal's measure: same bytes, same concurrency)`,
      `       the same ${CLIENTS} curls from a bare sendfile server of the file (no HTTP routing, authorization or cache: the kernel's path alone, this machine's ceiling): ${ceiling.seconds.toFixed(2)} s, ${rate(total, ceiling.seconds)}  → the relay at ${((relayRate / (total / ceiling.seconds)) * 100).toFixed(0)} % of it; the curls ${ceiling.cpuSeconds.toFixed(1)} s of CPU`,
      `       bytes per CPU second: the relay ${rate(total, relayCpu).replace('/s', '')}, the ${CLIENTS} cats ${rate(total, catCpu).replace('/s', '')} (${catCpu.toFixed(1)} s)  → the relay at ${(((total / relayCpu) / (total / catCpu)) * 100).toFixed(0)} % of cat's efficiency, whoever the clients are`,
      `       one cat of it > /dev/null, median of 3: ${cat1.toFixed(3)} s, ${rate(BYTES, cat1)}  → relay's aggregate at ${((relayRate / (BYTES / cat1)) * 100).toFixed(0)} % of it`,
      `       relay RSS: ${mib(rssStart)} at start, ${mib(sampler.peak('prefetch', 'idle'))} peak during the transfer, ${mib(rssIdle)} idle, ${mib(Math.max(...during))} peak during the downloads, ${mib(rssEnd)} 2 s after them (goal: flat, < 250 MB)`,
      `       RSS through the downloads at 10/25/50/75/90 % of their time: ${[0.1, 0.25, 0.5, 0.75, 0.9].map((q) => mib(during[Math.floor(q * (during.length - 1))])).join(', ')} (${during.length} samples, every 100 ms)`,
      `  (P6) ${formatBytes(P6_BYTES)} to 1 + ${P6_AGENTS} machines through the relay: the origin served ${formatBytes(origin6)} (relay's bytesFetched), the relay ${formatBytes(served6)} (bytesServed)`,
      `       offload ${pct(1 - origin6 / served6)} counting the first fetch; after it ${formatBytes(originLater)} from the origin for ${formatBytes(servedLater)} served: offload ${pct(1 - originLater / servedLater)} (goal ≥ 99 % after the first fetch)`,
      `       the server's record from the relay's heartbeat agrees: bytesServed ${viaServer.bytesServed}, bytesFetched ${viaServer.bytesFetched} (relay's /healthz: ${after6.bytesServed}, ${after6.bytesFetched})`,
    ];
  } finally {
    sampler?.stop();
    await relay?.stop();
    await server?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The relay's figures: /healthz shows them only to the relay's own token. */
async function relayHealth(relayUrl: string, token: string): Promise<Health> {
  const res = await fetch(`${relayUrl}/healthz`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as Health;
}
