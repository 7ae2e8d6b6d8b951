/**
 * (P1) An idle fleet polling: N machines with distinct tokens (default 10,000) ask for their plan
 * with the current version and get 304, on PostgreSQL. Reported beside the plain fast-path hello
 * handler and a Next route handler in the same run, with p50/p99 latency. The client runs on the
 * same machine (2 cores here), so absolute figures are lower than a remote fleet would see.
 */
import http from 'node:http';
import pg from 'pg';
import { generateSecret, PREFIX } from '../lib/tokens/token-secret';
import { startServer } from '../test/helpers/server';

const MACHINES = Number(process.env.BENCH_MACHINES ?? 10_000);
const REQUESTS = Number(process.env.BENCH_POLLS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(base: string, path: (i: number) => string, headers: (i: number) => Record<string, string>, expectStatus: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let wrong = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      http
        .get(`${base}${path(i)}`, { agent, headers: headers(i) }, (res) => {
          if (res.statusCode !== expectStatus) wrong++;
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t);
            resolve();
          });
        })
        .on('error', () => {
          wrong++;
          resolve();
        });
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) await one(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (wrong) throw new Error(`${wrong} of ${REQUESTS} requests did not answer ${expectStatus}`);
  latencies.sort((a, b) => a - b);
  return { rps: REQUESTS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function benchPlanPolls(): Promise<string[]> {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.DATABASE_URL = adminUrl; // the helper makes a fresh database from it
  const pgServer = await startServer();
  try {
    // The fleet, inserted in one statement: enrolling 10,000 machines over HTTP is not what is measured.
    const tokens = Array.from({ length: MACHINES }, () => generateSecret(PREFIX.machineToken));
    const db = new pg.Client({ connectionString: pgServer.databaseUrl });
    await db.connect();
    const { rows } = await db.query<{ id: string }>(
      `insert into machines (hostname, token_hash) select 'bench-' || i, h from unnest($1::text[]) with ordinality as t(h, i) order by i returning id`,
      [tokens.map((t) => t.hash)],
    );
    await db.end();
    const fleet = rows.map((r, i) => ({ token: tokens[i].token, etag: `"${r.id}.1"` }));
    const pick = (i: number) => fleet[(i * 7919) % fleet.length]; // spread over every machine

    const targets: [string, () => Promise<LoadResult>][] = [
      ['plan poll, 304 (fast path, 1 indexed lookup)', () => load(pgServer.url, () => '/api/agent/v1/plan', (i) => ({ authorization: `Bearer ${pick(i).token}`, 'if-none-match': pick(i).etag }), 304)],
      ['plain fast-path handler (hello)', () => load(pgServer.url, () => '/api/agent/v1/hello', () => ({}), 200)],
      ['Next route handler (/api/auth/csrf)', () => load(pgServer.url, () => '/api/auth/csrf', () => ({}), 200)],
    ];
    for (const [, run] of targets) await run(); // warm up (also fills last_seen once)
    const results = new Map<string, LoadResult[]>();
    for (let round = 0; round < ROUNDS; round++) for (const [name, run] of targets) results.set(name, [...(results.get(name) ?? []), await run()]);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const lines = [`  (P1) ${MACHINES} machines, ${REQUESTS} requests × ${ROUNDS} rounds, ${CONCURRENCY} concurrent, PostgreSQL, medians:`];
    const summary = new Map<string, number>();
    for (const [name, rs] of results) {
      const rps = med(rs.map((r) => r.rps));
      summary.set(name, rps);
      lines.push(`       ${name.padEnd(46)} ${rps.toFixed(0).padStart(6)} req/s   p50 ${med(rs.map((r) => r.p50)).toFixed(1)} ms   p99 ${med(rs.map((r) => r.p99)).toFixed(1)} ms`);
    }
    const poll = summary.get(targets[0][0])!;
    lines.push(`       plan poll ÷ Next route: ${(poll / summary.get(targets[2][0])!).toFixed(1)}×   (goals: ≥ 5,000/s, p99 < 50 ms, ≥ 6×)`);
    return lines;
  } finally {
    await pgServer.dispose();
  }
}
