import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planSchema, type Plan, type PlanAssignment, type ReportEvent, type TurnResponse } from '../../lib/contract/agent-api';
import { nodeFetch } from '../shared/node-fetch';
import type { MachineProbe } from './checks';
import { sha256Of, startContentStandIn, type ContentStandIn } from './content-stand-in';
import { Executor, type ExecutorWorld } from './executor';
import { installerEnv } from './installers';
import { LocalState } from './local-state';
import { Outbox } from './outbox';
import type { RunResult } from './process-runner';
import type { DownloadTuning } from './download';

const content = Buffer.from('#!/bin/sh\necho hi\n');
const sha = crypto.createHash('sha256').update(content).digest('hex');
const identity = { server: 'http://depot.test', machineId: '11111111-1111-4111-8111-111111111111', token: 'dpm_test', enrolledAt: '2027-01-01T00:00:00Z' };
let n = 0;
const assignment = (extra: Partial<PlanAssignment> = {}): PlanAssignment => ({
  assignmentId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  attempt: 1,
  jobId: '22222222-2222-4222-8222-222222222222',
  jobName: `job ${n}`,
  kind: 'install',
  state: 'pending',
  timing: 'asap',
  startAt: null,
  notBefore: null,
  deadline: null,
  loadSpreading: false,
  maxConcurrent: null,
  askTurn: false,
  mandatory: true,
  package: {
    id: '33333333-3333-4333-8333-333333333333',
    packageId: 'hi',
    version: '1',
    generation: 1,
    displayName: 'Hi',
    sha256: sha,
    size: content.length,
    fileName: 'hi.sh',
    installer: { kind: 'script', install: ['{file}'], successExitCodes: [0], timeoutSeconds: 60, reboot: 'never' },
    conditions: {},
    detection: { kind: 'none' },
    expiresAt: null,
  },
  ...extra,
});
const planOf = (...assignments: PlanAssignment[]): Plan => ({ machineId: identity.machineId, version: 1, pollSeconds: 60, jitterSeconds: 30, timeZone: 'UTC', windows: [], blackoutDates: [], contentSources: [], assignments });

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** extra: where the server is (a real stand-in) and the download tuning. */
function setup(overrides: Partial<ExecutorWorld> = {}, before?: (dir: string) => void, extra: { server?: string; tuning?: DownloadTuning } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-executor-'));
  dirs.push(dir);
  before?.(dir);
  const runs: string[][] = [];
  const ok: RunResult = { exitCode: 0, signal: null, timedOut: false, aborted: false, output: 'ok', truncated: false, durationMs: 1 };
  const probe: MachineProbe = {
    platform: () => 'linux',
    arch: () => 'x64',
    totalMemoryBytes: () => 8 * 2 ** 30,
    freeDiskBytes: () => 2 ** 30,
    packageVersion: async () => null,
    fileSha256: async () => null,
    run: async () => ok,
  };
  const world: ExecutorWorld = {
    now: () => Date.parse('2027-01-01T00:00:00Z'),
    fetch: (async () => new Response(content)) as unknown as typeof fetch,
    run: async (argv) => {
      runs.push(argv);
      return ok;
    },
    probe,
    log: () => undefined,
    sendInventoryNow: async () => true,
    sendReports: async () => undefined,
    currentPlan: async () => null,
    requestTurn: async () => ({ granted: true, retryAfterSeconds: null, message: 'turn granted' }),
    tokenRefused: () => false,
    waitForChild: async () => true,
    ...overrides,
  };
  return { dir, runs, executor: new Executor({ ...identity, server: extra.server ?? identity.server }, dir, world, extra.tuning) };
}

describe('Executor', () => {
  it('installs as soon as received and queues every step', async () => {
    const { executor, runs } = setup();
    const a = assignment();
    expect(await executor.work(planOf(a))).toBeNull();
    expect(runs).toHaveLength(1);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('installed');
  });

  it('cuts an over-long reason instead of losing the report', async () => {
    const { executor } = setup();
    const a = assignment();
    a.package!.conditions = { minFreeDisk: { path: `/${'x'.repeat(2100)}`, mib: 4096 } };
    await executor.work(planOf(a));
    const queued = executor.outbox.finalFor(a.assignmentId, 1)!;
    expect(queued.state).toBe('skipped');
    expect(queued.reason!.length).toBe(2000);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('skipped');
  });

  it('trusts a final report queued before a crash instead of running again', async () => {
    const a = assignment();
    const { executor, runs } = setup({}, (dir) => new Outbox(dir).add({ assignmentId: a.assignmentId, attempt: 1, state: 'installed', at: '2027-01-01T00:00:00Z' }));
    await executor.work(planOf(a));
    expect(runs).toEqual([]);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('installed');
  });

  it('keeps working through the plan when an inventory job cannot reach the server', async () => {
    const { executor, runs } = setup({ sendInventoryNow: async () => false });
    const inventory = assignment({ kind: 'inventory', package: null });
    const install = assignment();
    await executor.work(planOf(inventory, install));
    expect(executor.state.get(inventory.assignmentId, 1)).toBeNull();
    expect(runs).toHaveLength(1);
  });

  it('does not install what the server no longer lists (cancelled during the download)', async () => {
    const a = assignment();
    const { executor, runs } = setup({ currentPlan: async () => planOf() });
    await executor.work(planOf(a));
    expect(runs).toEqual([]);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('ready');
  });

  it('asks for a turn only for capped jobs, waits while every turn is taken, then installs', async () => {
    const asked: string[] = [];
    let answer: TurnResponse | null = { granted: false, retryAfterSeconds: 60, message: '2 of 2 machines allowed at once are installing this job; waiting for a turn' };
    const logs: string[] = [];
    const { executor, runs } = setup({ requestTurn: async (x) => (asked.push(x.assignmentId), answer), log: (line) => logs.push(line) });
    const capped = assignment({ maxConcurrent: 2 });
    const free = assignment();
    const now = Date.parse('2027-01-01T00:00:00Z');
    expect((await executor.work(planOf(capped, free)))?.getTime()).toBe(now + 60_000);
    expect(asked).toEqual([capped.assignmentId]);
    expect(runs).toHaveLength(1);
    expect(executor.state.get(capped.assignmentId, 1)?.state).toBe('ready');
    expect(logs.some((l) => l.includes('waiting for a turn'))).toBe(true);
    // Unreachable server: a cap needs it, so the install waits rather than runs.
    answer = null;
    expect((await executor.work(planOf(capped)))?.getTime()).toBe(now + 60_000);
    expect(runs).toHaveLength(1);
    answer = { granted: true, retryAfterSeconds: null, message: 'turn granted' };
    expect(await executor.work(planOf(capped))).toBeNull();
    expect(runs).toHaveLength(2);
    expect(executor.state.get(capped.assignmentId, 1)?.state).toBe('installed');
  });

  it('drops a capped install the server says may not start (cancelled meanwhile)', async () => {
    const { executor, runs } = setup({ requestTurn: async () => ({ granted: false, retryAfterSeconds: null, message: 'the assignment is cancelled; it may not start' }) });
    const a = assignment({ maxConcurrent: 1 });
    expect(await executor.work(planOf(a))).toBeNull();
    expect(runs).toEqual([]);
  });

  it('starts at the time of the fresh plan: a deferral saved while it got ready holds the install', async () => {
    const a = assignment({ timing: 'asap' });
    const deferred = { ...a, timing: 'windows' as const, notBefore: '2027-01-03T00:00:00Z' };
    const { executor, runs } = setup({ currentPlan: async () => planOf(deferred) });
    expect((await executor.work(planOf(a)))?.toISOString()).toBe('2027-01-03T00:00:00.000Z');
    expect(runs).toEqual([]);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('ready');
  });

  it('asks the server before starting what the user can still change, and runs nothing it refuses', async () => {
    const seen: (string | undefined)[] = [];
    const a = assignment({ askTurn: true, mandatory: false });
    const { executor, runs } = setup({
      requestTurn: async (x) => {
        // Asked before anything says installing: a refused turn leaves nothing to take back.
        seen.push(executor.state.get(x.assignmentId, x.attempt)?.state);
        return { granted: false, retryAfterSeconds: null, message: 'the assignment is offered; it may not start' };
      },
    });
    expect(await executor.work(planOf(a))).toBeNull();
    expect(seen).toEqual(['ready']);
    expect(runs).toEqual([]);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('ready');
    expect(executor.outbox.finalFor(a.assignmentId, 1)).toBeNull();
  });

  it('installs at its time when the server cannot be reached to confirm the start, unless the job has a cap', async () => {
    const logs: string[] = [];
    const { executor, runs } = setup({ requestTurn: async () => null, log: (line) => logs.push(line) });
    const deferrable = assignment({ askTurn: true });
    expect(await executor.work(planOf(deferrable))).toBeNull();
    expect(runs).toHaveLength(1);
    expect(executor.state.get(deferrable.assignmentId, 1)?.state).toBe('installed');
    expect(logs.some((l) => l.includes('cannot be reached to confirm the start; starting as the plan says'))).toBe(true);
    const capped = assignment({ askTurn: true, maxConcurrent: 3 });
    expect((await executor.work(planOf(capped)))?.getTime()).toBe(Date.parse('2027-01-01T00:01:00Z'));
    expect(runs).toHaveLength(1);
  });

  it('holds an asap install on a blackout day until the next day in the machine’s zone, then installs', async () => {
    // Fri 2027-01-01 10:00 in Berlin; the plan blacks out that Friday.
    const clock = { now: Date.parse('2027-01-01T09:00:00Z') };
    const { executor, runs, dir } = setup({ now: () => clock.now });
    const a = assignment();
    const plan: Plan = { ...planOf(a), timeZone: 'Europe/Berlin', blackoutDates: ['2027-01-01'] };
    const next = await executor.work(plan);
    // Downloaded already, installed not yet: due at Sat 00:00 in Berlin.
    expect(next?.toISOString()).toBe('2027-01-01T23:00:00.000Z');
    expect(runs).toEqual([]);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('ready');
    expect(fs.existsSync(path.join(dir, 'downloads', sha))).toBe(true);
    clock.now = Date.parse('2027-01-01T22:59:00Z'); // 23:59 on the blackout day: still waiting
    expect((await executor.work(plan))?.toISOString()).toBe('2027-01-01T23:00:00.000Z');
    expect(runs).toEqual([]);
    clock.now = Date.parse('2027-01-01T23:00:00Z');
    expect(await executor.work(plan)).toBeNull();
    expect(runs).toHaveLength(1);
    expect(executor.state.get(a.assignmentId, 1)?.state).toBe('installed');
  });

  it('logs once when it schedules an admin’s install, with the time it will start; not the user’s own selections', async () => {
    // Fri 2027-01-01 10:00 in Berlin; the machine installs Fridays 22:00-23:00.
    const clock = { now: Date.parse('2027-01-01T09:00:00Z') };
    const logs: string[] = [];
    const { executor, runs } = setup({ now: () => clock.now, log: (line) => logs.push(line) });
    const required = assignment({ timing: 'windows' });
    const chosen = assignment({ timing: 'windows', mandatory: false });
    const plan: Plan = { ...planOf(required, chosen), timeZone: 'Europe/Berlin', windows: [{ day: 5, start: '22:00', minutes: 60 }] };
    expect((await executor.work(plan))?.toISOString()).toBe('2027-01-01T21:00:00.000Z');
    clock.now += 60 * 60_000;
    await executor.work(plan);
    const announced = logs.filter((l) => l.startsWith('will '));
    expect(announced).toEqual(['will install Hi 1 at Fri 22:00 Europe/Berlin (2027-01-01T21:00:00.000Z, in 12 h)']);
    // A deferral (a later not-before in a new plan) moves the start: announced again.
    const deferred: Plan = { ...plan, assignments: [{ ...required, notBefore: '2027-01-02T00:00:00Z' }, chosen] };
    await executor.work(deferred);
    expect(logs.filter((l) => l.startsWith('will ')).at(-1)).toBe('will install Hi 1 at Fri 8 Jan 22:00 Europe/Berlin (2027-01-08T21:00:00.000Z, in 7 days)');
    expect(runs).toEqual([]);
  });

  it('refuses to run a stored download that changed on disk', async () => {
    const clock = { now: Date.parse('2027-01-01T00:00:00Z') };
    const { executor, runs, dir } = setup({ now: () => clock.now });
    const later = assignment({ timing: 'at', startAt: '2027-01-02T00:00:00Z' });
    await executor.work(planOf(later));
    // Same size, different bytes: only the hash can tell.
    fs.writeFileSync(path.join(dir, 'downloads', sha), Buffer.alloc(content.length, 0x23));
    clock.now = Date.parse('2027-01-02T00:00:01Z');
    await executor.work(planOf(later));
    expect(runs).toEqual([]);
    expect(executor.outbox.finalFor(later.assignmentId, 1)?.reason).toMatch(/^integrity failure: the stored file's SHA-256/);
    expect(fs.existsSync(path.join(dir, 'downloads', sha))).toBe(false);
  });
});

describe('Executor downloads from the plan’s relays', () => {
  const standIns: ContentStandIn[] = [];
  afterEach(async () => {
    for (const s of standIns.splice(0)) await s.close();
  });

  const relayContent = Buffer.from('#!/bin/sh\necho from a relay\n');
  const otherContent = Buffer.from('#!/bin/sh\necho another package\n');
  const withContent = (bytes: Buffer, extra: Partial<PlanAssignment> = {}): PlanAssignment => {
    const a = assignment(extra);
    return { ...a, package: { ...a.package!, sha256: sha256Of(bytes), size: bytes.length } };
  };

  /** A real relay and a real server (node:http), and an executor whose identity points at that server. */
  async function relayWorld(tuning: DownloadTuning = {}) {
    const relay = await startContentStandIn([relayContent, otherContent]);
    const server = await startContentStandIn([relayContent, otherContent]);
    standIns.push(relay, server);
    const clock = { now: Date.parse('2027-01-01T00:00:00Z') };
    const logs: string[] = [];
    const { executor, runs } = setup({ fetch: nodeFetch, now: () => clock.now, log: (line) => logs.push(line) }, undefined, {
      server: server.url,
      tuning: { relayTimeoutMs: 300, idleTimeoutMs: 20_000, ...tuning },
    });
    const plan = (...assignments: PlanAssignment[]): Plan => ({ ...planOf(...assignments), contentSources: [{ relayId: '44444444-4444-4444-8444-444444444444', name: 'berlin', url: relay.url }] });
    /** The reports the executor queued, in order. */
    const reports = async (): Promise<ReportEvent[]> => {
      const sent: ReportEvent[] = [];
      await executor.outbox.flush(async (events) => {
        sent.push(...events);
        return { results: events.map((e) => ({ assignmentId: e.assignmentId, attempt: e.attempt, state: e.state, outcome: 'applied' as const })) };
      }, () => undefined);
      return sent;
    };
    return { relay, server, clock, logs, runs, executor, plan, reports };
  }

  it('downloads from the relay, reports relay:<name> as the source and logs it', async () => {
    const { relay, server, logs, runs, executor, plan, reports } = await relayWorld();
    const a = withContent(relayContent);
    await executor.work(plan(a));
    expect(runs).toHaveLength(1);
    expect(relay.requests).toEqual([{ sha256: sha256Of(relayContent), range: null, authorization: 'Bearer dpm_test' }]);
    expect(server.requests).toEqual([]);
    const ready = (await reports()).find((e) => e.state === 'ready');
    expect(ready).toMatchObject({ source: 'relay:berlin', reason: `downloaded ${relayContent.length} bytes from relay:berlin, SHA-256 verified` });
    expect(logs).toContain(`${a.jobName}: downloaded Hi 1 (${relayContent.length} bytes) from relay:berlin, SHA-256 verified`);
  });

  it('falls back to the server within the relay timeout, says why, and skips the relay for the next package', async () => {
    const { relay, server, clock, logs, runs, executor, plan, reports } = await relayWorld({ relayRestMs: 60_000 });
    relay.misbehave = { stallBeforeHeaders: true };
    const first = withContent(relayContent);
    const started = performance.now();
    await executor.work(plan(first));
    expect(performance.now() - started).toBeLessThan(5_000);
    const ready = (await reports()).find((e) => e.state === 'ready');
    expect(ready).toMatchObject({ source: 'server', reason: `downloaded ${relayContent.length} bytes from server, SHA-256 verified (relay:berlin sent no response headers within 0.3 s)` });
    expect(logs.some((l) => l.startsWith(`${first.jobName}: downloaded Hi 1`) && l.includes('from server'))).toBe(true);

    // The next package, within the rest: straight to the server, no wait on the relay.
    const second = withContent(otherContent);
    clock.now += 30_000;
    await executor.work(plan(second));
    expect(relay.requests).toHaveLength(1);
    expect(server.requests.map((r) => r.sha256)).toEqual([sha256Of(relayContent), sha256Of(otherContent)]);
    expect((await reports()).find((e) => e.state === 'ready')?.reason).toContain('(relay:berlin failed recently and was skipped)');
    expect(runs).toHaveLength(2);
  });

  it('fails an assignment whose relay served a corrupted byte, deletes the part file and runs nothing', async () => {
    const { relay, server, runs, executor, plan } = await relayWorld();
    relay.misbehave = { corruptAt: 3 };
    const a = withContent(relayContent);
    await executor.work(plan(a));
    expect(runs).toEqual([]);
    expect(server.requests).toEqual([]);
    expect(executor.outbox.finalFor(a.assignmentId, 1)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^integrity failure: .* \(served by relay:berlin\); the file was deleted$/) });
  });

  it('downloads an old-style plan without contentSources from the server', async () => {
    const { relay, server, runs, executor, reports } = await relayWorld();
    const a = withContent(relayContent);
    const { contentSources: _none, ...old } = planOf(a);
    await executor.work(planSchema.parse(old));
    expect(runs).toHaveLength(1);
    expect(relay.requests).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect((await reports()).find((e) => e.state === 'ready')?.source).toBe('server');
  });
});

describe('installerEnv', () => {
  it('passes a short allow-list, never the agent’s own secrets', () => {
    const env = installerEnv({ PATH: '/usr/bin', DEPOT_ENROLMENT_SECRET: 'dps_secret', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'x' } as unknown as NodeJS.ProcessEnv);
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', DEBIAN_FRONTEND: 'noninteractive' });
  });
});

describe('Executor: output, logs and a killed agent', () => {
  it('stores output with NUL and lone surrogates replaced, and logs the program and argument count, never the arguments', async () => {
    const logs: string[] = [];
    const { executor } = setup({
      run: async () => ({ exitCode: 0, signal: null, timedOut: false, aborted: false, output: 'a\u0000b\uD800c', truncated: false, durationMs: 1 }),
      log: (line) => logs.push(line),
    });
    const a = assignment();
    a.package!.installer.install = ['{file}', '--licence-key=SECRET-123'];
    await executor.work(planOf(a));
    expect(executor.outbox.finalFor(a.assignmentId, 1)).toMatchObject({ state: 'installed', output: 'a\u2400b\uFFFDc' });
    expect(logs.join('\n')).not.toContain('SECRET-123');
    expect(logs.some((l) => /^install Hi 1: \S+ with 1 argument\(s\)$/.test(l))).toBe(true);
  });

  it('says removed, not installed, in its log for a completed uninstall', async () => {
    const logs: string[] = [];
    const { executor } = setup({ log: (line) => logs.push(line) });
    const a = assignment({ kind: 'uninstall' });
    a.package!.installer.uninstall = ['/usr/bin/true'];
    await executor.work(planOf(a));
    expect(executor.outbox.finalFor(a.assignmentId, 1)?.state).toBe('installed');
    expect(logs).toContain(`${a.jobName}: removed`);
    expect(logs.some((l) => l.startsWith(`${a.jobName}: installed`))).toBe(false);
  });

  it('journals the installer’s pid and start time while it runs', async () => {
    const a = assignment();
    let journaled: unknown = null;
    let dir = '';
    const { executor } = setup(
      {
        run: async (_argv, options) => {
          options.onSpawn?.({ pid: 4321, startTime: '987654' });
          journaled = new LocalState(dir).get(a.assignmentId, 1);
          return { exitCode: 0, signal: null, timedOut: false, aborted: false, output: '', truncated: false, durationMs: 1 };
        },
      },
      (d) => (dir = d),
    );
    await executor.work(planOf(a));
    expect(journaled).toMatchObject({ state: 'installing', child: { pid: 4321, startTime: '987654' } });
  });

  it('waits for an installer a killed agent left running, then lets the detection rule decide', async () => {
    const a = assignment();
    let marker = '';
    const waited: unknown[] = [];
    const { executor, runs } = setup(
      {
        // The orphaned installer finishes while the restarted agent waits for it.
        waitForChild: async (child, timeoutMs) => {
          waited.push({ child, timeoutMs });
          fs.writeFileSync(marker, 'done');
          return true;
        },
      },
      (dir) => {
        marker = path.join(dir, 'installed-marker');
        new LocalState(dir).set(a.assignmentId, { attempt: 1, state: 'installing', at: '2027-01-01T00:00:00Z', child: { pid: 4321, startTime: '987654' } });
      },
    );
    a.package!.detection = { kind: 'file', path: marker };
    await executor.work(planOf(a));
    expect(waited).toEqual([{ child: { pid: 4321, startTime: '987654' }, timeoutMs: 60_000 }]);
    expect(runs).toEqual([]);
    expect(executor.outbox.finalFor(a.assignmentId, 1)).toMatchObject({ state: 'installed' });
  });

  it('runs nothing while the server refuses the machine’s token', async () => {
    const { executor, runs } = setup({ tokenRefused: () => true });
    const a = assignment();
    expect(await executor.work(planOf(a))).toBeNull();
    expect(runs).toEqual([]);
    expect(executor.outbox.size).toBe(0);
  });
});
