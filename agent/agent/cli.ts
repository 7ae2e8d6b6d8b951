/**
 * depot-agent: the daemon on each managed machine.
 *
 *   depot-agent enroll --server URL --secret S   (or DEPOT_ENROLMENT_SECRET)
 *   depot-agent run        (the daemon)
 *   depot-agent status
 *
 * Exit codes: 0 done, 1 refused (by the server, or already enrolled), 2 bad usage, 3 unreachable.
 */
import { Command } from 'commander';
import { z } from 'zod';
import { planSchema } from '../../lib/contract/agent-api';
import { describeWindow } from '../../lib/contract/installation-window';
import { nextOpening } from '../../lib/schedule/next-opening';
import { ServerError, readAnswer } from '../shared/http-client';
import { agentDir, readIdentity } from './agent-dir';
import { collectInventory } from './collect-inventory';
import { AgentDaemon, realWorld } from './daemon';
import { enroll, EnrollRefused } from './enroll';

class UsageError extends Error {}

export function buildProgram(): Command {
  const program = new Command('depot-agent').description('The Depot agent on a managed machine').showHelpAfterError();

  program
    .command('enroll')
    .description('enrol this machine with a Depot server and save its token in the agent directory')
    .option('--server <url>', 'the Depot server')
    .option('--secret <secret>', 'an enrolment secret (or DEPOT_ENROLMENT_SECRET, which other users cannot see)')
    .option('--force', 'enrol again even if this machine is already enrolled')
    .action(async (opts) => {
      const parsed = z
        .object({
          server: z.url({ message: '--server: expected the Depot server URL, e.g. https://depot.example.com' }),
          secret: z.string({ message: '--secret: expected an enrolment secret (or set DEPOT_ENROLMENT_SECRET)' }).min(1, '--secret: expected an enrolment secret'),
        })
        .safeParse({ server: opts.server, secret: opts.secret ?? process.env.DEPOT_ENROLMENT_SECRET });
      if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
      const dir = agentDir();
      const identity = await enroll({ ...parsed.data, dir, force: !!opts.force, collect: collectInventory });
      console.log(`Enrolled as machine ${identity.machineId} with ${identity.server}.\nIdentity saved in ${dir} (readable by this user only).`);
    });

  program
    .command('run')
    .description('the daemon: poll the plan, report facts; stops cleanly on SIGTERM')
    .action(async () => {
      const { dir, identity } = enrolledIdentity();
      const stop = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
      const world = realWorld(collectInventory);
      world.log(`depot-agent: machine ${identity.machineId}, server ${identity.server}`);
      await new AgentDaemon(identity, dir, world).run(stop.signal);
      world.log('depot-agent: stopped');
    });

  program
    .command('status')
    .description('what this machine is enrolled as, and when installs may next run')
    .action(async () => {
      const { dir, identity } = enrolledIdentity();
      console.log(`Machine ${identity.machineId}, enrolled with ${identity.server} on ${identity.enrolledAt}.`);
      let plan;
      try {
        const res = await fetch(`${identity.server}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${identity.token}` }, signal: AbortSignal.timeout(10_000) });
        if (res.status === 401) throw new Error('the server refused this machine’s token (401): the machine was retired; enrol it again');
        plan = planSchema.parse(readAnswer(res.status, await res.text()));
      } catch (error) {
        // Offline: say so, and show the plan the daemon keeps on disk.
        const cached = new AgentDaemon(identity, dir, realWorld(collectInventory)).plan;
        if (!cached) throw error;
        console.log(`Server not reachable (${(error as Error).message}); showing the cached plan.`);
        plan = cached;
      }
      const opening = nextOpening(plan.windows, plan.timeZone, new Date());
      const when = opening.end === null ? 'any time' : opening.start <= new Date() ? `now, until ${fmt(opening.end, plan.timeZone)}` : `${fmt(opening.start, plan.timeZone)}`;
      console.log(`Plan version ${plan.version}; ${plan.assignments.length} assignment(s).`);
      console.log(`Installation windows (${plan.timeZone}): ${plan.windows.length ? plan.windows.map(describeWindow).join('; ') : 'none, so any time'}.`);
      console.log(`Next install: ${when}.`);
    });

  return program;
}

function enrolledIdentity() {
  const dir = agentDir();
  const identity = readIdentity(dir);
  if (!identity) throw new UsageError(`not enrolled (no identity in ${dir}); run: DEPOT_ENROLMENT_SECRET=… depot-agent enroll --server URL`);
  return { dir, identity };
}

function fmt(d: Date, timeZone: string): string {
  return d.toLocaleString('en-GB', { timeZone, weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof UsageError) return fail(2, message);
    if (error instanceof EnrollRefused || error instanceof ServerError) return fail(1, message);
    return fail(3, message);
  }
}

function fail(code: number, message: string): number {
  console.error(`depot-agent: ${message}`);
  return code;
}
