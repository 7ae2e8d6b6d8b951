import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testBytes } from '../../test/helpers/relay-stand-in';
import { AnswerError, CutError, receiveContent, type Head, type ReceiveOptions } from './receive-content';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** A TCP server that answers each connection with `answer` (it gets the socket and the request's head). */
async function rawServer(answer: (socket: net.Socket, request: string) => unknown): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      void answer(socket, head);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/api/relay/v1/content/x?y=1`;
}

/** Writes the pieces one at a time, each after the last has left (so the reader sees them apart). */
async function sendApart(socket: net.Socket, pieces: (string | Buffer)[]): Promise<void> {
  for (const piece of pieces) {
    await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tempFile(): { file: string; handle: Promise<fs.promises.FileHandle> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-receive-'));
  const file = path.join(dir, 'content');
  const handle = fs.promises.open(file, 'wx');
  cleanups.push(async () => {
    await (await handle).close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { file, handle };
}

async function receive(url: string, overrides: Partial<ReceiveOptions> = {}) {
  const { file, handle } = tempFile();
  const heads: Head[] = [];
  let stored = 0;
  let storedEvents = 0;
  const promise = receiveContent({
    url,
    headers: { authorization: 'Bearer dpr_x' },
    signal: new AbortController().signal,
    file: await handle,
    accept: (head) => {
      heads.push(head);
      const length = head.headers['content-length'];
      if (length === undefined) throw new Error('no Content-Length');
      return Number(length);
    },
    onData: () => undefined,
    onStored: (n) => {
      stored += n;
      storedEvents++;
    },
    ...overrides,
  });
  const settled = await promise.then(
    (digest) => ({ digest, error: null }),
    (error: Error) => ({ digest: null, error }),
  );
  return { ...settled, heads, stored, storedEvents, bytes: () => fs.readFileSync(file) };
}

const ok = (length: number, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nX-Content-Sha256: abc\r\nSet-Cookie: a\r\nSet-Cookie: b${extra}\r\n\r\n`;

describe('receiveContent', () => {
  it('sends one GET with the headers, and stores and hashes a body that arrives in pieces, the head split too', async () => {
    const body = testBytes(3 * 1024 * 1024 + 123);
    let request = '';
    const url = await rawServer(async (socket, head) => {
      request = head;
      const h = ok(body.length);
      await sendApart(socket, [h.slice(0, 10), h.slice(10, 30), Buffer.concat([Buffer.from(h.slice(30)), body.subarray(0, 5)]), body.subarray(5, 70_000), body.subarray(70_000)]);
      socket.end();
    });
    const r = await receive(url);
    expect(r.error).toBeNull();
    expect(request).toMatch(/^GET \/api\/relay\/v1\/content\/x\?y=1 HTTP\/1\.1\r\n/);
    expect(request).toContain('authorization: Bearer dpr_x\r\n');
    expect(request).toContain('connection: close\r\n');
    expect(r.heads).toEqual([{ statusCode: 200, headers: { 'content-length': String(body.length), 'x-content-sha256': 'abc', 'set-cookie': 'a, b' } }]);
    expect(r.digest).toBe(sha256(body));
    expect(r.stored).toBe(body.length);
    expect(r.bytes().equals(body)).toBe(true);
  });

  it('skips 1xx answers, ignores bytes past Content-Length, and takes an empty body', async () => {
    const body = testBytes(100_000, 2);
    const url = await rawServer((socket) => {
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n${ok(body.length)}`), body, Buffer.from('not this content')]));
    });
    const r = await receive(url);
    expect([r.error, r.digest, r.heads.map((h) => h.statusCode)]).toEqual([null, sha256(body), [200]]);
    expect(r.bytes().equals(body)).toBe(true);

    const empty = await receive(await rawServer((socket) => socket.end(ok(0))));
    expect([empty.error, empty.digest, empty.stored, empty.bytes().length]).toEqual([null, sha256(Buffer.alloc(0)), 0, 0]);
  });

  it('fails an answer other than 200 with its status and the start of its body, without calling accept', async () => {
    const text = JSON.stringify({ error: { code: 'not_found', message: 'No package has content x.' } });
    const r = await receive(await rawServer((socket) => socket.end(`HTTP/1.1 404 Not Found\r\nContent-Length: ${text.length}\r\n\r\n${text}`)));
    expect(r.error).toBeInstanceOf(AnswerError);
    expect([(r.error as AnswerError).statusCode, (r.error as AnswerError).text]).toEqual([404, text]);
    expect(r.heads).toEqual([]);
    // Without Content-Length the body runs to the close; only its start is kept.
    const long = await receive(await rawServer((socket) => socket.end(`HTTP/1.0 502 Bad Gateway\r\n\r\n${'x'.repeat(5000)}`)));
    expect([(long.error as AnswerError).statusCode, (long.error as AnswerError).text.length]).toEqual([502, 1024]);
  });

  it('hands a chunked answer to accept without Content-Length, and fails with what accept throws', async () => {
    const r = await receive(await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n')));
    expect(r.heads[0].headers['content-length']).toBeUndefined();
    expect(r.error?.message).toBe('no Content-Length');
  });

  it('fails a connection cut short of Content-Length, saying how much arrived, with no write left running', async () => {
    const body = testBytes(200_000, 3);
    const r = await receive(await rawServer(async (socket) => {
      await sendApart(socket, [ok(body.length), body.subarray(0, 150_000)]);
      socket.destroy();
    }));
    expect(r.error).toBeInstanceOf(CutError);
    expect([(r.error as CutError).received, (r.error as CutError).size]).toEqual([150_000, 200_000]);
    // What was written is the body's start (the rest is not written: the caller discards the file).
    expect(r.stored).toBeLessThanOrEqual(150_000);
    expect(r.bytes().equals(body.subarray(0, r.stored))).toBe(true);
  });

  it('fails what is not HTTP, a head that never ends, and a connection that closes before answering', async () => {
    expect((await receive(await rawServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n')))).error?.message).toMatch(/not an HTTP/);
    expect((await receive(await rawServer((socket) => socket.end(`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(70_000)}`)))).error?.message).toMatch(/head is over/);
    expect((await receive(await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\n')))).error?.message).toMatch(/closed before a complete answer/);
  });

  it('stops at once when the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('the relay is stopping');
    const r = await receive(
      await rawServer(async (socket) => {
        await sendApart(socket, [ok(1_000_000), testBytes(10_000)]);
        controller.abort(reason);
      }),
      { signal: controller.signal },
    );
    expect(r.error).toBe(reason);
  });

  it('keeps every byte in order when the disk falls behind (reading pauses), and syncs behind the writes', async () => {
    const body = testBytes(80 * 1024 * 1024 + 7, 4);
    const url = await rawServer((socket) => {
      socket.write(ok(body.length));
      socket.end(body);
    });
    const { file: written, handle } = tempFile();
    const real = await handle;
    let writes = 0;
    let syncs = 0;
    let slow = true;
    // The first writes wait long enough for every region to fill; then the disk keeps up.
    const file: ReceiveOptions['file'] = {
      write: (async (buffer: Buffer, offset: number, length: number, position: number) => {
        if (slow && ++writes > 3) slow = false;
        if (slow) await new Promise((resolve) => setTimeout(resolve, 50));
        return real.write(buffer, offset, length, position);
      }) as ReceiveOptions['file']['write'],
      datasync: () => {
        syncs++;
        return real.datasync();
      },
    };
    const r = await receive(url, { file });
    expect(r.error).toBeNull();
    expect(r.digest).toBe(sha256(body));
    expect(r.stored).toBe(body.length);
    expect(r.storedEvents).toBeGreaterThan(3);
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(fs.readFileSync(written).equals(body)).toBe(true);
  });
});
