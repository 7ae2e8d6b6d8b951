/**
 * The bad-input sweep in `npm test` (issue 14): 200 cases per route, fixed seed. Any 5xx, or a
 * 4xx that does not say what was wrong, fails it with the requests that caused them.
 * `npm run fuzz` runs the same with 2,000 cases per route and prints the counts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { credentialsStillWork, formatCounts, prepareSweep, runSweep, type SweepFixtures } from './helpers/fuzz';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let fixtures: SweepFixtures;

beforeAll(async () => {
  server = await startServer();
  fixtures = await prepareSweep(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

it('answers every route with a 2xx/3xx or a 4xx that says what was wrong, never a 5xx', { timeout: 600_000 }, async () => {
  const result = await runSweep(fixtures, { casesPerTarget: 200, seed: 14 });
  const failures = result.answers.filter((a) => a.failure);
  const shown = failures.slice(0, 20).map((a) => `${a.target}\n  ${a.request}\n  → ${a.failure}`);
  expect(failures.length, `${failures.length} bad answers; first ones:\n${shown.join('\n')}\n\n${formatCounts(result)}`).toBe(0);
  expect(server.output()).not.toMatch(/uncaughtException|unhandledRejection/i);
  const still = await credentialsStillWork(fixtures);
  for (const [credential, status] of Object.entries(still)) expect([401, 403], `${credential} was revoked by the sweep`).not.toContain(status);
});
