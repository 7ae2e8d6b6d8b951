import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendfile, sendfileSupport, type SendfileResult } from './native-sendfile';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function fileOf(bytes: Buffer): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-sendfile-'));
  const file = path.join(dir, 'content');
  fs.writeFileSync(file, bytes);
  const fd = fs.openSync(file, 'r');
  cleanups.push(() => {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return fd;
}

/**
 * A real TCP connection on loopback. The server side writes a one-line header through Node, waits
 * until the socket has taken it, hands over to sendfile, and ends the socket when that is done;
 * `client` decides how to read.
 */
async function transfer(fd: number, offset: number, length: number, client: (socket: net.Socket) => Promise<Buffer | null>): Promise<{ result: SendfileResult; received: Buffer | null; server: net.Socket }> {
  let resolveResult!: (r: { result: SendfileResult; server: net.Socket }) => void;
  const outcome = new Promise<{ result: SendfileResult; server: net.Socket }>((resolve) => (resolveResult = resolve));
  const listener = net.createServer((server) => {
    server.on('error', () => undefined);
    server.write('header\n', async () => {
      const sending = sendfile(server, fd, offset, length);
      if (!sending) throw new Error('sendfile was refused on a drained plain socket');
      const result = await sending;
      server.end();
      resolveResult({ result, server });
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => listener.close());
  const socket = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  socket.on('error', () => undefined);
  cleanups.push(() => socket.destroy());
  const received = await client(socket);
  const { result, server } = await outcome;
  return { result, received, server };
}

/** A connected client that never reads; resolves with the server's side of the connection. */
async function stalledClient(): Promise<net.Socket> {
  let accepted!: (server: net.Socket) => void;
  const serverSide = new Promise<net.Socket>((resolve) => (accepted = resolve));
  const listener = net.createServer((server) => {
    server.on('error', () => undefined);
    accepted(server);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => listener.close());
  const socket = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  socket.pause();
  cleanups.push(() => socket.destroy());
  return serverSide;
}

/** Reads until the server closes, returning everything after the header line. */
function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve(all.subarray(all.indexOf('\n') + 1));
    });
  });
}

describe('sendfile(2) for depot-relay', () => {
  it('is built and loaded on Linux (npm ci builds it; otherwise: npm run build:native, which needs a C compiler)', () => {
    if (process.platform !== 'linux') return;
    expect(sendfileSupport().why).toBeUndefined();
    expect(sendfileSupport().module).not.toBeNull();
  });

  it('sends a range of the file after what Node wrote, byte for byte', async () => {
    const bytes = crypto.randomBytes(9 * 1024 * 1024 + 5);
    const fd = fileOf(bytes);
    const { result, received } = await transfer(fd, 1234, bytes.length - 1234 - 99, readAll);
    expect(result).toEqual({ sent: bytes.length - 1234 - 99, error: undefined });
    expect(received!.equals(bytes.subarray(1234, bytes.length - 99))).toBe(true);
  });

  it('stops at the end of a file shorter than the range, saying so', async () => {
    const bytes = crypto.randomBytes(300 * 1024);
    const fd = fileOf(bytes);
    const { result } = await transfer(fd, 0, bytes.length + 1000, async (socket) => {
      socket.resume();
      return null;
    });
    expect(result).toEqual({ sent: bytes.length, error: 'short-file' });
  });

  it('ends with client-left when the client goes away mid-transfer', async () => {
    const bytes = crypto.randomBytes(64 * 1024 * 1024);
    const fd = fileOf(bytes);
    const { result } = await transfer(fd, 0, bytes.length, (socket) => {
      return new Promise((resolve) => {
        let got = 0;
        socket.on('data', (c: Buffer) => {
          got += c.length;
          if (got > 1024 * 1024) {
            socket.destroy();
            resolve(null);
          }
        });
      });
    });
    expect(result.error).toBe('client-left');
    expect(result.sent).toBeGreaterThan(0);
    expect(result.sent).toBeLessThan(bytes.length);
  });

  it('is cancelled when Node closes the socket while the client has stopped reading', async () => {
    const bytes = crypto.randomBytes(64 * 1024 * 1024);
    const fd = fileOf(bytes);
    // The client never reads: the socket fills up and the transfer waits.
    const serverSide = await stalledClient();
    const sending = sendfile(serverSide, fd, 0, bytes.length)!;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // As the relay's stop() does to a response still running after its grace period.
    serverSide.destroy();
    const result = await sending;
    expect(result.error).toBeDefined();
    expect(result.sent).toBeLessThan(bytes.length);
  });

  it('is refused (null) when the socket still has bytes queued, so nothing goes out of order', async () => {
    const fd = fileOf(Buffer.from('x'));
    expect(sendfile(null, fd, 0, 1)).toBeNull();
    expect(sendfile(new net.Socket(), fd, 0, 1)).toBeNull(); // not connected: no descriptor
    // The client never reads: what Node writes stays queued.
    const serverSide = await stalledClient();
    serverSide.write(Buffer.alloc(64 * 1024 * 1024));
    expect(serverSide.writableLength).toBeGreaterThan(0);
    expect(sendfile(serverSide, fd, 0, 1)).toBeNull();
    serverSide.destroy();
  });

  it('reports what the kernel refuses (a pipe cannot be sent from) with nothing sent, for the caller to go on in JavaScript', async () => {
    const [readEnd] = await new Promise<[number, number]>((resolve) => {
      // A FIFO's read end: sendfile(2) needs a file it can map pages of.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-sendfile-'));
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const r = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const w = fs.openSync(fifo, 'w');
      fs.writeSync(w, 'some bytes');
      cleanups.push(() => {
        fs.closeSync(r);
        fs.closeSync(w);
        fs.rmSync(dir, { recursive: true, force: true });
      });
      resolve([r, w]);
    });
    const { result } = await transfer(readEnd, 0, 10, async (socket) => {
      socket.resume();
      return null;
    });
    expect(result.sent).toBe(0);
    expect(result.error).toMatch(/^E[A-Z]+$/);
    expect(result.error).not.toBe('client-left');
  });

  it('refuses a length or offset that is not a whole number of bytes', () => {
    const native = sendfileSupport().module;
    if (!native) return;
    for (const [offset, length] of [
      [Number.NaN, 1],
      [0, Number.POSITIVE_INFINITY],
      [0.5, 1],
      [-1, 1],
      [0, 0],
    ])
      expect(() => native.start(0, 0, offset, length, () => undefined)).toThrow(/whole number/);
  });
});
