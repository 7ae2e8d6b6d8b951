import fs from 'node:fs';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { nodeFetch } from '../shared/node-fetch';

/** Everything the relay touches outside itself that tests want to drive: clock, randomness, HTTP, disk figures, log. */
export interface RelayWorld {
  now(): number;
  random(): number;
  /** Resolves after ms, or at once when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  fetch: typeof fetch;
  /** Free bytes for an unprivileged user on the file system that holds dir. */
  diskFree(dir: string): Promise<number>;
  log(line: string): void;
}

export const realRelayWorld = (): RelayWorld => ({
  now: () => Date.now(),
  random: Math.random,
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }).catch(() => undefined),
  // Plain node:http rather than the global fetch: no undici and its WASM parser in the process.
  fetch: nodeFetch,
  async diskFree(dir) {
    const s = await fs.promises.statfs(dir);
    return s.bavail * s.bsize;
  },
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});
