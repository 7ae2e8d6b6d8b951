/**
 * depot-relay: a relay system, a pull-through cache of package content near a set of machines.
 *
 *   depot-relay --server URL --token T --listen [HOST:]PORT --cache DIR
 *               [--upstream URL] [--max-clients 200] [--cache-size 20GiB] [--heartbeat 5s]
 *
 * The token may come from DEPOT_RELAY_TOKEN instead (other users can read argv). It is never logged.
 * Exit codes: 0 stopped by SIGTERM/SIGINT, 1 could not start (port in use, cache locked or
 * unwritable), 2 bad usage.
 */
import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { formatBytes } from '../../lib/format-bytes';
import { CacheBusy } from './cache-lock';
import { DEFAULTS, parseRelayOptions, UsageError, type RawRelayOptions } from './options';
import { sendfileSupport } from './native-sendfile';
import { Relay } from './relay';
import { realRelayWorld } from './world';

/** How long running downloads may finish after SIGTERM before they are cut. */
const STOP_GRACE_MS = 30_000;

export function buildProgram(run: (raw: RawRelayOptions) => Promise<void>): Command {
  return new Command('depot-relay')
    .description('Run a Depot relay system: cache package content near machines, report to the managing server')
    .option('--server <url>', 'the managing server (heartbeats and authorization)')
    .option('--token <token>', 'the relay token from the Relays page (or DEPOT_RELAY_TOKEN, which other users cannot see)')
    .option('--listen <[host:]port>', 'where machines and child relays reach this relay, e.g. :8081')
    .option('--cache <dir>', 'the cache directory')
    .option('--upstream <url>', 'a parent relay to fetch content from (default: the managing server)')
    .option('--max-clients <n>', `concurrent downloads before answering 503 (default ${DEFAULTS.maxClients})`)
    .option('--cache-size <size>', `the cache's size limit, e.g. 20GiB or 500GB (default ${DEFAULTS.cacheSize})`)
    .option('--heartbeat <duration>', 'heartbeat at least this often, e.g. 5s (default: as often as the managing server asks, 30s)')
    .showHelpAfterError()
    .action(async (opts: RawRelayOptions) => run(opts));
}

async function runRelay(raw: RawRelayOptions): Promise<void> {
  const options = parseRelayOptions(raw);
  const world = realRelayWorld();
  const relay = new Relay(options, world, packageJson.version);
  await relay.start();
  world.log(
    `depot-relay ${packageJson.version}: listening on ${relay.url}, cache ${options.cacheDir} (limit ${formatBytes(options.cacheSizeBytes)}), ` +
      `content from ${options.upstream}, managing server ${options.server}, at most ${options.maxClients} clients`,
  );
  const { module: sendfile, why } = sendfileSupport();
  world.log(sendfile ? 'depot-relay: cached files go out by sendfile(2)' : `depot-relay: cached files go out through JavaScript, about half as fast: ${why}`);
  relay.runHeartbeat();
  const signal = await new Promise<string>((resolve) => {
    for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => resolve(name));
  });
  world.log(`depot-relay: ${signal}: stopping (running downloads have ${STOP_GRACE_MS / 1000} s to finish)`);
  await relay.stop(STOP_GRACE_MS);
  world.log('depot-relay: stopped');
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await buildProgram(runRelay).parseAsync(argv);
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof UsageError) return fail(2, message);
    if (error instanceof CacheBusy) return fail(1, message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') return fail(1, `cannot listen: ${message}`);
    return fail(1, message);
  }
}

function fail(code: number, message: string): number {
  console.error(`depot-relay: ${message}`);
  return code;
}
