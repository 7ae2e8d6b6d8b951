import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveContent } from './serve-content';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real server answering every request with serveContent of the file (as `size` bytes), and what each call did. */
async function serve(bytes: Buffer, size = bytes.length) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-serve-'));
  const file = path.join(dir, 'content');
  fs.writeFileSync(file, bytes);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const calls: Promise<void>[] = [];
  const server = http.createServer((req, res) => calls.push(serveContent(req, res, { path: file, sha256, size })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    fs.rmSync(dir, { recursive: true, force: true });
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, calls };
}

/** GET with headers: status, headers, body, and whether the body stopped short of Content-Length. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; cut: boolean }>((resolve, reject) => {
    http
      .request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), cut: !res.complete }));
      })
      .on('error', reject)
      .end();
  });
}

const bytes = crypto.randomBytes(3 * 1024 * 1024 + 1001);

describe('serveContent', () => {
  it('sends the whole content, a range of it across several chunks, and a HEAD without a body', async () => {
    const { url } = await serve(bytes);
    const whole = await get(url);
    expect([whole.status, whole.headers['content-length'], whole.cut, whole.body.equals(bytes)]).toEqual([200, String(bytes.length), false, true]);

    const part = await get(url, { range: 'bytes=1000-1500000' });
    expect([part.status, part.headers['content-range'], part.body.equals(bytes.subarray(1000, 1500001))]).toEqual([206, `bytes 1000-1500000/${bytes.length}`, true]);
    const tail = await get(url, { range: `bytes=-10` });
    expect(tail.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);

    const head = await get(url, {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(bytes.length), 0]);
  });

  it('sends an empty content', async () => {
    const { url } = await serve(Buffer.alloc(0));
    const res = await get(url);
    expect([res.status, res.headers['content-length'], res.body.length, res.cut]).toEqual([200, '0', 0, false]);
  });

  it('cuts the response short when the stored file is shorter than its content, never hangs', async () => {
    const { url, calls } = await serve(bytes, bytes.length + 5);
    const res = await get(url);
    expect([res.status, res.cut, res.body.equals(bytes)]).toEqual([200, true, true]);
    await Promise.all(calls);
  });

  it('stops reading and resolves when the client leaves mid-way', async () => {
    const big = crypto.randomBytes(64 * 1024 * 1024);
    const { url, calls } = await serve(big);
    await new Promise<void>((resolve, reject) => {
      const req = http.get(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no data')), 5000);
    });
    await Promise.all(calls);
  });
});
