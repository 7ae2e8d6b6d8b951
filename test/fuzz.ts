/**
 * `npm run fuzz`: the bad-input sweep of test/fuzz.integ.ts with 2,000 cases per route (FUZZ_CASES
 * to change it, FUZZ_SEED for other cases) against a fresh server (PGlite, or PostgreSQL when
 * DATABASE_URL is set); prints the answers' statuses per route and in total, and the first bad ones.
 * Exits 1 when any answer is a 5xx or a 4xx that does not say what was wrong.
 */
import { credentialsStillWork, formatCounts, prepareSweep, runSweep } from './helpers/fuzz';
import { startServer } from './helpers/server';

const cases = Number(process.env.FUZZ_CASES ?? 2000);
const seed = Number(process.env.FUZZ_SEED ?? 14);
const server = await startServer();
let failed = true;
try {
  const fixtures = await prepareSweep(server.url);
  const started = performance.now();
  const result = await runSweep(fixtures, { casesPerTarget: cases, seed });
  const seconds = (performance.now() - started) / 1000;
  console.log(formatCounts(result));
  const failures = result.answers.filter((a) => a.failure);
  for (const a of failures.slice(0, 30)) console.log(`\n${a.target}\n  ${a.request}\n  → ${a.failure}`);
  const still = await credentialsStillWork(fixtures);
  const crashed = /uncaughtException|unhandledRejection/i.test(server.output());
  if (crashed) console.log(server.output().split('\n').filter((l, i, all) => /uncaught|unhandled/i.test(all.slice(Math.max(0, i - 3), i + 4).join(' '))).slice(0, 30).join('\n'));
  console.log(`\n${result.answers.length} requests in ${seconds.toFixed(1)} s on ${server.databaseUrl ? 'PostgreSQL' : 'PGlite'} (seed ${seed}); ${failures.length} bad answers; credentials after: ${JSON.stringify(still)}${crashed ? '; the server logged an uncaught exception' : ''}`);
  failed = failures.length > 0 || crashed || Object.values(still).some((s) => s === 401 || s === 403);
} finally {
  await server.dispose();
}
process.exit(failed ? 1 : 0);
