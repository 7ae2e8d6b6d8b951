/**
 * (T1) upload and (T2) download of one large file through a real server, each against `cat` of
 * the same file in the same run, and the server's peak RSS (VmHWM) across both. The client is
 * depot-pack's own upload function (it hashes while sending, as in production) and a plain
 * streaming GET, on the same 2-core machine as the server.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { uploadPackage } from '../agent/pack/upload';
import { formatBytes } from '../lib/format-bytes';
import { demoAdmin } from '../test/helpers/demo';
import { api, mustSignIn } from '../test/helpers/http';
import { startServer } from '../test/helpers/server';

const SIZE_MIB = Number(process.env.BENCH_TRANSFER_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 3);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function peakRssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

function currentRssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

/** Samples the process's RSS every 20 ms while fn runs; returns the highest, in KiB. */
async function sampleRss<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; maxKiB: number }> {
  let maxKiB = currentRssKiB(pid);
  const timer = setInterval(() => {
    maxKiB = Math.max(maxKiB, currentRssKiB(pid));
  }, 20);
  try {
    return { result: await fn(), maxKiB };
  } finally {
    clearInterval(timer);
  }
}

function timeIt(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

function download(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`download answered ${res.statusCode}`));
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

export async function benchTransfer(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-bench-'));
  const file = path.join(dir, 'payload.bin');
  const block = crypto.randomBytes(1024 * 1024);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < SIZE_MIB; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
  const bytes = SIZE_MIB * 1024 * 1024;

  const server = await startServer({ pglite: true, env: { DEPOT_MAX_PACKAGE_SIZE: `${SIZE_MIB + 16}MiB` } });
  try {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const token = (await api<{ token: { token: string } }>(server.url, '/api/tokens', { method: 'POST', session: admin, json: { name: 'bench', role: 'deployer' } })).body.token.token;
    await api(server.url, '/api/cabinets', { method: 'POST', session: admin, json: { name: 'bench' } });
    const pid = server.pid()!;
    const idleRss = currentRssKiB(pid);

    // The ceiling for any Node server on this machine: a bare file server over loopback.
    const bare = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': bytes });
      fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/`;
    execFileSync('sh', ['-c', `cat "${file}" > /dev/null`]); // warm the page cache as the transfers below will find it

    // Interleaved rounds, so drift in machine load hits every measurement alike; medians reported.
    const t = { catCopy: [] as number[], upload: [] as number[], catRead: [] as number[], bare: [] as number[], download: [] as number[] };
    let upMax = 0;
    let downMax = 0;
    let afterUpload = 0;
    for (let round = 0; round < ROUNDS; round++) {
      t.catCopy.push(timeIt(() => execFileSync('sh', ['-c', `cat "${file}" > "${path.join(dir, 'copy.bin')}" && sync`])));
      fs.rmSync(path.join(dir, 'copy.bin'));
      let pkgId = '';
      const up = await sampleRss(pid, () =>
        timeAsync(async () => {
          const pkg = await uploadPackage({ server: server.url, token, cabinet: 'bench', file, manifest: { packageId: 'payload', displayName: 'Payload', version: '1', installer: { kind: 'script' } } });
          pkgId = pkg.id;
        }),
      );
      t.upload.push(up.result);
      upMax = Math.max(upMax, up.maxKiB);
      afterUpload = currentRssKiB(pid);
      t.catRead.push(timeIt(() => execFileSync('sh', ['-c', `cat "${file}" > /dev/null`])));
      t.bare.push(await timeAsync(() => download(bareUrl, token)));
      let received = 0;
      const dl = await sampleRss(pid, () =>
        timeAsync(async () => {
          received = await download(`${server.url}/api/packages/${pkgId}/content`, token);
        }),
      );
      if (received !== bytes) throw new Error(`downloaded ${received} bytes of ${bytes}`);
      t.download.push(dl.result);
      downMax = Math.max(downMax, dl.maxKiB);
    }
    bare.close();
    const catCopy = median(t.catCopy);
    const upload = median(t.upload);
    const catRead = median(t.catRead);
    const bareDown = median(t.bare);
    const down = median(t.download);
    const peak = peakRssKiB(pid);

    const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
    const rate = (s: number) => `${formatBytes(bytes / s)}/s`;
    return [
      `  medians of ${ROUNDS} interleaved rounds`,
      `  (T1) upload ${formatBytes(bytes)} (depot-pack, hashed on both ends, fsynced): ${upload.toFixed(2)} s, ${rate(upload)}`,
      `       cat to a file + sync in the same run: ${catCopy.toFixed(2)} s, ${rate(catCopy)}  → upload at ${((catCopy / upload) * 100).toFixed(0)} % of cat`,
      `  (T2) download ${formatBytes(bytes)}: ${down.toFixed(2)} s, ${rate(down)}`,
      `       cat to /dev/null in the same run: ${catRead.toFixed(2)} s, ${rate(catRead)}  → download at ${((catRead / down) * 100).toFixed(0)} % of cat (page cache, no socket)`,
      `       a bare Node file server over loopback in the same run: ${bareDown.toFixed(2)} s, ${rate(bareDown)}  → download at ${((bareDown / down) * 100).toFixed(0)} % of it`,
      `  (T3) server RSS: ${mib(idleRss)} idle; during uploads max ${mib(upMax)} (${mib(afterUpload)} after); during downloads max ${mib(downMax)}`,
      `       (the process's all-time peak, VmHWM ${mib(peak)}, is reached at start-up, before any transfer)`,
    ];
  } finally {
    await server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
