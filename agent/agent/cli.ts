/**
 * depot-agent: the daemon on each managed machine.
 *
 *   depot-agent enroll --server URL --secret S   (or DEPOT_ENROLMENT_SECRET)
 *   depot-agent run [--once]   (the daemon; --once: one round, due work, reports, then exit)
 *   depot-agent status
 *   depot-agent install-service
 *
 * Exit codes: 0 done, 1 refused (by the server, or already enrolled), 2 bad usage, 3 unreachable.
 */
import { Command } from 'commander';
import { z } from 'zod';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planSchema, type Plan } from '../../lib/contract/agent-api';
import { describeWindow } from '../../lib/contract/installation-window';
import { installTime, spreadOf } from '../../lib/schedule/install-time';
import { localDate } from '../../lib/schedule/blackout';
import { describeOpening, nextOpening, zoneOf } from '../../lib/schedule/next-opening';
import { ServerError, readAnswer } from '../shared/http-client';
import { agentDir, readIdentity } from './agent-dir';
import { AgentDaemon, realWorld, tokenRefusedSince } from './daemon';
import { AgentBusy, lockAgentDir } from './dir-lock';
import { enroll, EnrollRefused } from './enroll';
import { factsFromChild } from './facts-child';
import { FINISHED, LocalState } from './local-state';
import { planNotices } from './notices';
import { runProcess } from './process-runner';
import { installService } from './service-unit';

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
      const { collectInventory } = await import('./collect-inventory');
      const identity = await enroll({ ...parsed.data, dir, force: !!opts.force, collect: collectInventory });
      console.log(`Enrolled as machine ${identity.machineId} with ${identity.server}.\nIdentity saved in ${dir} (readable by this user only).`);
    });

  program
    .command('run')
    .description('the daemon: poll the plan, download, install inside windows, report; stops cleanly on SIGTERM')
    .option('--once', 'one round (facts, plan, due work, reports), then exit: for scripts and first runs')
    .action(async (opts) => {
      const { dir, identity } = enrolledIdentity();
      const unlock = lockAgentDir(dir);
      const stop = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
      const world = realWorld(factsFromChild(entryPoint()));
      world.log(`depot-agent: machine ${identity.machineId}, server ${identity.server}`);
      const daemon = new AgentDaemon(identity, dir, world);
      stop.signal.addEventListener('abort', () => daemon.stopping(), { once: true });
      if (opts.once) {
        const result = await daemon.round(stop.signal).catch((error: Error) => {
          world.log(`round failed: ${error.message}`);
          return { ok: false };
        });
        const wakeAt = await daemon.work(stop.signal);
        world.log(`depot-agent: round ${result.ok ? 'done' : 'failed (working from the cached plan)'}; ${daemon.executor.outbox.size} report(s) waiting${wakeAt ? `; next due ${wakeAt.toISOString()}` : ''}`);
      } else {
        await daemon.run(stop.signal);
      }
      unlock();
      world.log('depot-agent: stopped');
    });

  program
    .command('status')
    .description('what this machine is enrolled as, and when installs may next run')
    .action(async () => {
      const { dir, identity } = enrolledIdentity();
      console.log(`Machine ${identity.machineId}, enrolled with ${identity.server} on ${identity.enrolledAt}.`);
      let plan;
      let planStatus: number | null = null;
      try {
        const res = await fetch(`${identity.server}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${identity.token}` }, signal: AbortSignal.timeout(10_000) });
        planStatus = res.status;
        if (res.status === 401) throw new Error('the server refuses this machine’s token (401): the machine was retired; enrol it again. Nothing from the cached plan runs until the server accepts it');
        plan = planSchema.parse(readAnswer(res.status, await res.text()));
      } catch (error) {
        // Offline: say so, and show the plan the daemon keeps on disk.
        const cached = new AgentDaemon(identity, dir, realWorld(factsFromChild(entryPoint()))).plan;
        if (!cached) throw error;
        const refusedToken = (error as Error).message.includes('(401)');
        console.log(`${refusedToken ? 'Server refused this machine' : 'Server not reachable'} (${(error as Error).message}); showing the cached plan.`);
        plan = cached;
      }
      const refused = tokenRefusedLine(tokenRefusedSince(dir), planStatus);
      if (refused) console.log(refused);
      const now = new Date();
      const schedule = { blackoutDates: plan.blackoutDates };
      const opening = nextOpening(plan.windows, plan.timeZone, now, schedule);
      const when = describeOpening(opening, now, (at) => fmt(at, plan.timeZone));
      console.log(`Plan version ${plan.version}; ${plan.assignments.length} assignment(s).`);
      console.log(`Installation windows (${plan.timeZone}): ${plan.windows.length ? plan.windows.map(describeWindow).join('; ') : 'none, so any time'}.`);
      const upcoming = upcomingBlackoutDates(plan, now);
      if (upcoming.length) console.log(`Blackout dates (nothing installs on these days, ${plan.timeZone}): ${upcoming.join(', ')}.`);
      console.log(`Next window: ${when}.`);
      console.log(contentSourcesLine(plan));
      const local = new LocalState(dir);
      for (const line of assignmentLines(plan, local, now)) console.log(line);
      for (const line of noticeLines(plan, local, now)) console.log(line);
    });

  program
    .command('facts')
    .description('print this machine’s facts as JSON (what the daemon reports as inventory)')
    .action(async () => {
      const { collectInventory } = await import('./collect-inventory');
      process.stdout.write(`${JSON.stringify(await collectInventory())}\n`);
    });

  program
    .command('install-service')
    .description('write the systemd unit for depot-agent run, then enable and start it')
    .option('--unit-dir <dir>', 'where the unit goes', '/etc/systemd/system')
    .option('--no-enable', 'write the unit only')
    .action(async (opts) => {
      const { dir } = enrolledIdentity();
      const entry = entryPoint();
      const result = await installService({ unitDir: opts.unitDir, agentDir: dir, nodePath: process.execPath, entry, enable: opts.enable, run: runProcess });
      console.log(`Wrote ${result.unitPath}.${result.enabled ? ' The service is enabled and running: journalctl -u depot-agent -f' : ' Enable it with: systemctl enable --now depot-agent'}`);
    });

  return program;
}

/** One line per assignment: what this machine did or will do, in the machine's time zone. */
function assignmentLines(plan: Plan, local: LocalState, now: Date): string[] {
  const lines: string[] = [];
  const listed = new Set<string>();
  for (const a of plan.assignments) {
    listed.add(a.assignmentId);
    const name = a.package ? `${a.package.displayName} ${a.package.version}` : a.jobName;
    const state = local.get(a.assignmentId, a.attempt)?.state;
    let what: string;
    if (state === 'installed' || state === 'failed' || state === 'skipped') what = `${state} (report waiting for the server)`;
    else if (state === 'downloading') what = 'downloading';
    else if (state === 'installing') what = 'installing';
    else {
      const at = installTime(a, plan.windows, plan.timeZone, now, spreadOf(`${a.assignmentId}:${a.attempt}`), { blackoutDates: plan.blackoutDates });
      what = `${state === 'ready' ? 'downloaded, ' : ''}pending: ${a.kind} ${at <= now ? 'now' : fmt(at, plan.timeZone)}`;
    }
    lines.push(`  ${name}: ${what}`);
  }
  for (const [id, entry] of Object.entries(local.all())) {
    if (!listed.has(id)) lines.push(`  assignment ${id.slice(0, 8)}: ${entry.state} at ${fmt(new Date(entry.at), plan.timeZone)}`);
  }
  return lines;
}

/**
 * The portal's banners, from the cached plan: admins' installs starting within 24 h and deadlines
 * within 48 h. What this machine has finished, or is running, needs no warning.
 */
export function noticeLines(plan: Plan, local: Pick<LocalState, 'get'>, now: Date): string[] {
  const notices = planNotices(plan, now, (a) => {
    const state = local.get(a.assignmentId, a.attempt)?.state;
    return state === 'installing' || (!!state && FINISHED.has(state));
  });
  return notices.length ? ['Notices:', ...notices.map((n) => `  ${n.text}.`)] : [];
}

/** Where downloads come from: the plan's relays nearest first, then the managing server. */
/**
 * The daemon's note that the server refuses this machine's token, or null. The note on disk is
 * the daemon's last word; a plan request status just made and answered 200/304 is newer, and wins.
 */
export function tokenRefusedLine(refusedSince: string | null, planStatus: number | null): string | null {
  if (!refusedSince || planStatus === 200 || planStatus === 304) return null;
  return `The server refuses this machine's token since ${refusedSince} (retired?): the agent runs nothing from its cached plan until the server accepts it again.`;
}

export function contentSourcesLine(plan: Pick<Plan, 'contentSources'>): string {
  const relays = plan.contentSources.map((r) => `relay ${r.name} (${r.url}), then `).join('');
  return `Downloads from: ${relays}the managing server.`;
}

/** The plan's blackout dates from today on (in the machine's zone). */
function upcomingBlackoutDates(plan: Plan, now: Date): string[] {
  const today = localDate(now.getTime(), zoneOf(plan.timeZone));
  return plan.blackoutDates.filter((d) => d >= today);
}

/** The depot-agent command itself (its bin shim), for the service unit and the facts child. */
function entryPoint(): string {
  return process.env.DEPOT_AGENT_ENTRY ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/depot-agent.mjs');
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
    if (error instanceof EnrollRefused || error instanceof ServerError || error instanceof AgentBusy) return fail(1, message);
    return fail(3, message);
  }
}

function fail(code: number, message: string): number {
  console.error(`depot-agent: ${message}`);
  return code;
}
