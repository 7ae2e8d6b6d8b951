import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The module built from native/sendfile.c (see there for how it works and why). */
interface SendfileModule {
  start(socketFd: number, fileFd: number, offset: number, length: number, done: (code: number, sent: number) => void): unknown;
  cancel(handle: unknown): void;
}

/** The module's code when the file ends before the range does. */
const SHORT_FILE = -1;

/**
 * Where the module is, relative to this code: beside the sources (agent/relay), or from the
 * bundle in agent/dist (npm run build).
 */
const CANDIDATES = ['./native/build/sendfile.node', '../relay/native/build/sendfile.node'];

export interface SendfileSupport {
  module: SendfileModule | null;
  /** Why the module is not used, for the relay's start-up line. */
  why?: string;
}

let support: SendfileSupport | undefined;

/** Loads the module once. DEPOT_RELAY_SENDFILE=off turns it off (serving through JavaScript). */
export function sendfileSupport(): SendfileSupport {
  support ??= load();
  return support;
}

/** For the relay's health: how cached files go out, and why not by sendfile when they do not. */
export function sendingPath(): { path: 'sendfile' | 'javascript'; why?: string } {
  const { module, why } = sendfileSupport();
  return module ? { path: 'sendfile' } : { path: 'javascript', why: why?.slice(0, 500) };
}

function load(): SendfileSupport {
  if (process.env.DEPOT_RELAY_SENDFILE === 'off') return { module: null, why: 'turned off by DEPOT_RELAY_SENDFILE=off' };
  if (process.platform !== 'linux') return { module: null, why: `sendfile(2) is used on Linux only, this is ${process.platform}` };
  const require = createRequire(import.meta.url);
  for (const candidate of CANDIDATES) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (!fs.existsSync(file)) continue;
    try {
      return { module: require(file) as SendfileModule };
    } catch (error) {
      return { module: null, why: `${file} could not be loaded (${(error as Error).message}); rebuild it with npm run build:native` };
    }
  }
  return { module: null, why: 'the sendfile module is not built; build it with npm run build:native (needs a C compiler)' };
}

export interface SendfileResult {
  sent: number;
  /** Why it stopped short: the client left, the file was short, or another error. */
  error?: 'client-left' | 'short-file' | string;
}

/**
 * Sends `length` bytes of an open file from `offset` straight down a client's socket with
 * sendfile(2), off the JavaScript thread. Only for a plain TCP socket with nothing queued on it
 * (the caller has written the response's headers and waited for them to go out); null when that
 * does not hold or the module is not there, and the caller serves through JavaScript instead.
 * If the socket closes on Node's side (the client left, the response was destroyed), the
 * transfer is cancelled rather than left to send into a connection nobody owns.
 */
export function sendfile(socket: Socket | null, fileFd: number, offset: number, length: number): Promise<SendfileResult> | null {
  const native = sendfileSupport().module;
  if (!native || !socket || socket.destroyed || 'encrypted' in socket || socket.writableLength > 0) return null;
  // Node keeps the descriptor on the socket's libuv handle; it has no public accessor.
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  let finished = false;
  let resolve!: (result: SendfileResult) => void;
  const result = new Promise<SendfileResult>((r) => (resolve = r));
  const onClose = () => {
    if (!finished) native.cancel(handle);
  };
  let handle: unknown;
  try {
    handle = native.start(fd, fileFd, offset, length, (code, sent) => {
      finished = true;
      socket.off('close', onClose);
      resolve({ sent, error: code === 0 ? undefined : describe(code) });
    });
  } catch {
    // Out of descriptors, say: nothing was sent, and the caller serves through JavaScript.
    return null;
  }
  socket.on('close', onClose);
  return result;
}

function describe(code: number): string {
  if (code === SHORT_FILE) return 'short-file';
  const name = Object.entries(os.constants.errno).find(([, n]) => n === code)?.[0];
  if (name === 'EPIPE' || name === 'ECONNRESET') return 'client-left';
  return name ?? `errno ${code}`;
}
