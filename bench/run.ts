/**
 * `npm run bench`: throughput of the agent API fast path against a route through Next's handler,
 * in the same server process and the same run (so machine noise hits both), and the server's
 * start time. Medians of several rounds; the ratio is the figure to watch.
 *
 * The load generator runs in this process on the same machine as the server, so absolute
 * numbers are lower than a separate client would see; the ratio is what the design decision
 * ("agent polls never go through Next's router") rests on.
 */
import http from 'node:http';
import { startServer } from '../test/helpers/server';
import { benchAgentIdle } from './agent-idle';
import { benchFanOut } from './fan-out';
import { benchPages } from './pages';
import { benchPlanPolls } from './plan-polls';
import { benchPortal } from './portal';
import { benchRelay } from './relay';
import { benchTransfer } from './transfer';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function load(url: string, requests: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failures = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      http
        .get(url, { agent }, (res) => {
          if (res.statusCode !== 200) failures++;
          res.resume();
          res.on('end', resolve);
        })
        .on('error', () => {
          failures++;
          resolve();
        });
    });
  const worker = async () => {
    while (next++ < requests) await one();
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (failures) throw new Error(`${failures} of ${requests} requests to ${url} failed`);
  return requests / seconds;
}

/** The benchmarks after the baseline, in order; `BENCH_ONLY=<name>` runs one of them alone. */
const BENCHES: Record<string, () => Promise<string[]>> = {
  transfer: benchTransfer,
  polls: benchPlanPolls,
  fanout: benchFanOut,
  agent: benchAgentIdle,
  pages: benchPages,
  portal: benchPortal,
  relay: benchRelay,
};

async function main() {
  const only = process.env.BENCH_ONLY;
  if (only) {
    const bench = BENCHES[only];
    if (!bench) throw new Error(`BENCH_ONLY=${only} is not a benchmark; expected one of: ${Object.keys(BENCHES).join(', ')}`);
    for (const line of await bench()) console.log(line);
    return;
  }
  const server = await startServer({ pglite: true });
  try {
    const targets = {
      'fast path  GET /api/agent/v1/hello': `${server.url}/api/agent/v1/hello`,
      'fast path  GET /api/health (1 query)': `${server.url}/api/health`,
      'Next route GET /api/auth/csrf': `${server.url}/api/auth/csrf`,
    };
    for (const url of Object.values(targets)) await load(url, 500, CONCURRENCY); // warm up
    const results: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved rounds, so drift in machine load affects every target alike.
      for (const [name, url] of Object.entries(targets)) (results[name] ??= []).push(await load(url, REQUESTS, CONCURRENCY));
    }
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await server.stop();
      const t = performance.now();
      await server.restart();
      starts.push(performance.now() - t);
    }

    console.log(`\nDepot bench: ${ROUNDS} rounds × ${REQUESTS} requests, ${CONCURRENCY} concurrent, keep-alive, client in the same machine\n`);
    const medians = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
    for (const [name, value] of Object.entries(medians)) {
      const all = results[name].map((v) => v.toFixed(0)).join(', ');
      console.log(`  ${name.padEnd(40)} median ${value.toFixed(0).padStart(6)} req/s   (rounds: ${all})`);
    }
    const fast = medians['fast path  GET /api/agent/v1/hello'];
    const viaNext = medians['Next route GET /api/auth/csrf'];
    console.log(`\n  (B1) fast path ÷ Next route: ${(fast / viaNext).toFixed(1)}×`);
    console.log(`  (B2) server start to ready (process spawn, migrate, Next prepare), median of 3: ${(median(starts) / 1000).toFixed(2)} s`);
  } finally {
    await server.dispose();
  }
  for (const bench of Object.values(BENCHES)) {
    console.log('');
    for (const line of await bench()) console.log(line);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
