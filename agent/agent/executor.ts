import fs from 'node:fs';
import path from 'node:path';
import { sanitizeText } from '../../lib/contract/text';
import { AGENT_API, OUTPUT_LIMIT, type Plan, type PlanAssignment, type ReportEvent, type TurnResponse } from '../../lib/contract/agent-api';
import { formatLocal, relativeTime } from '../../lib/schedule/relative-time';
import type { Identity } from './agent-dir';
import { detect, unmetCondition, type MachineProbe } from './checks';
import { downloadContent, IntegrityError, verifyFile, type DownloadTuning } from './download';
import { FailedRelays } from './failed-relays';
import { installerEnv, prepareInstall, uninstallArgv } from './installers';
import { FINISHED, LocalState } from './local-state';
import { isAnnounced, nameOf, startTime } from './notices';
import { Outbox } from './outbox';
import type { ChildIdentity, ProcessRunner } from './process-runner';

/** What the executor touches outside itself: injected, so tests drive time and installers. */
export interface ExecutorWorld {
  now(): number;
  fetch: typeof fetch;
  run: ProcessRunner;
  probe: MachineProbe;
  log(line: string): void;
  /** Collects and sends the machine's facts now (inventory jobs); false when the server did not take them. */
  sendInventoryNow(): Promise<boolean>;
  /** Sends queued reports now (best effort), so the server sees an install start while it runs. */
  sendReports(): Promise<void>;
  /**
   * The current plan from the server, or null when it cannot be reached (then the cached plan
   * stands). Asked right before an installer runs, so a job cancelled during a long download
   * is not installed anyway.
   */
  currentPlan(): Promise<Plan | null>;
  /**
   * For the plan's askTurn assignments (a cap, or a choice the user can still change): asks the
   * server right before the installer runs; null when the server cannot be reached (then a capped
   * job waits, a cap needs the server; any other starts as its plan says).
   */
  requestTurn(a: PlanAssignment): Promise<TurnResponse | null>;
  /**
   * The server refused this machine's token (401) and has not accepted it since: the machine was
   * retired, so nothing from the cached plan runs (no installer, no detection command).
   */
  tokenRefused(): boolean;
  /** Waits (at most timeoutMs) until an installer left by a killed agent is gone; true when it is. */
  waitForChild(child: ChildIdentity, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

/** How long to wait for a turn when the server cannot be reached or names no time. */
const TURN_WAIT_MS = 60_000;

const REASON_LIMIT = 2000;

type Outcome = Omit<ReportEvent, 'assignmentId' | 'attempt' | 'at'>;

/**
 * Works through the plan's assignments: prefetches content as soon as an assignment arrives,
 * and installs when `installTime` says so (inside a window, at once, at a time, or after a
 * deadline; never on one of the plan's blackout dates, though downloads go on). It decides with its own clock and the cached plan, so a machine whose server is
 * unreachable still installs what it has downloaded. Every step is written to the local
 * journal and the outbox before the next one starts.
 */
export class Executor {
  readonly state: LocalState;
  readonly outbox: Outbox;
  private readonly downloads: string;
  /** Start times of admins' installs already logged, by `assignmentId:attempt`. */
  private readonly announced = new Map<string, number>();
  /** Relays passed over for a while after they failed, across downloads and rounds. */
  private readonly failedRelays: FailedRelays;

  constructor(
    private readonly identity: Identity,
    dir: string,
    private readonly world: ExecutorWorld,
    private readonly tuning: DownloadTuning = {},
  ) {
    this.state = new LocalState(dir);
    this.outbox = new Outbox(dir);
    this.downloads = path.join(dir, 'downloads');
    this.failedRelays = new FailedRelays(world.now, tuning.relayRestMs);
  }

  /** Does what is due now; returns when the next assignment becomes due (null: nothing waits). */
  async work(plan: Plan, signal?: AbortSignal): Promise<Date | null> {
    let next: number | null = null;
    for (const a of plan.assignments) {
      if (signal?.aborted || this.world.tokenRefused()) break;
      try {
        const due = await this.step(plan, a, signal);
        if (due !== null) next = next === null ? due : Math.min(next, due);
      } catch (error) {
        // One assignment's trouble (an unreadable file, a full disk) never stops the others.
        this.world.log(`${a.jobName}: ${(error as Error).message}`);
      }
    }
    this.pruneDownloads(plan);
    this.state.prune((id) => plan.assignments.some((a) => a.assignmentId === id) || this.outbox.has(id));
    for (const key of this.announced.keys()) if (!plan.assignments.some((a) => key === `${a.assignmentId}:${a.attempt}`)) this.announced.delete(key);
    return next === null ? null : new Date(next);
  }

  /**
   * One log line when an admin's install is scheduled ("will install Firefox ESR 115 at Tue 22:00
   * Europe/Berlin …"), so whoever reads the machine's journal learns of it ahead; again only
   * if its time moves (a new plan, a deferral). The user's own selections are not announced.
   */
  private announce(plan: Plan, a: PlanAssignment, due: number): void {
    const key = `${a.assignmentId}:${a.attempt}`;
    if (this.announced.get(key) === due) return;
    this.announced.set(key, due);
    const now = new Date(this.world.now());
    const at = new Date(due);
    this.world.log(`will ${a.kind} ${nameOf(a)} at ${formatLocal(at, plan.timeZone, now)} ${plan.timeZone} (${at.toISOString()}, ${relativeTime(at, now)})`);
  }

  /** Moves one assignment as far as it can go now; returns when it is next due, if it waits. */
  private async step(plan: Plan, a: PlanAssignment, signal?: AbortSignal): Promise<number | null> {
    const local = this.state.get(a.assignmentId, a.attempt);
    if (local && FINISHED.has(local.state)) return null;
    // A final report already queued (the agent stopped between queueing and journaling it).
    const queued = this.outbox.finalFor(a.assignmentId, a.attempt);
    if (queued) {
      this.state.set(a.assignmentId, { attempt: a.attempt, state: queued.state, at: queued.at });
      return null;
    }
    // Found in the journal as started: the agent died during that install.
    if (local?.state === 'installing' || (!local && a.state === 'installing')) {
      await this.recover(a, local?.child, signal);
      return null;
    }
    // Conditions first: a machine that cannot take the package does not download it.
    if (a.kind === 'install' && a.package) {
      const unmet = await unmetCondition(a.package.conditions, this.world.probe);
      if (unmet) {
        this.record(a, { state: 'skipped', reason: unmet });
        return null;
      }
    }
    let file: string | null = null;
    if (this.needsContent(a)) {
      file = await this.fetchContent(plan, a, signal);
      if (!file) return null;
    }
    // An expired package is not installed, even from a cached plan offline; the server marks it.
    if (a.kind === 'install' && a.package?.expiresAt && Date.parse(a.package.expiresAt) <= this.world.now()) {
      this.world.log(`${a.jobName}: the package expired on ${a.package.expiresAt}; not installed`);
      return null;
    }
    const due = startTime(plan, a, new Date(this.world.now())).getTime();
    if (due > this.world.now()) {
      if (isAnnounced(a)) this.announce(plan, a, due);
      return due;
    }
    let fresh = a;
    if (a.kind !== 'inventory') {
      const current = await this.world.currentPlan();
      if (this.world.tokenRefused()) return null;
      const found = current?.assignments.find((c) => c.assignmentId === a.assignmentId && c.attempt === a.attempt);
      if (current && !found) {
        this.world.log(`${a.jobName}: no longer in the plan (cancelled or held); not run`);
        return null;
      }
      // The start again from the fresh plan: a deferral or new windows saved meanwhile move it.
      if (current && found) {
        fresh = found;
        const freshDue = startTime(current, found, new Date(this.world.now())).getTime();
        if (freshDue > this.world.now()) return freshDue;
      }
    }
    return this.execute(fresh, file);
  }

  private needsContent(a: PlanAssignment): boolean {
    if (!a.package || a.kind === 'inventory') return false;
    if (a.kind === 'uninstall') return (uninstallArgv(a.package) ?? []).some((arg) => arg.includes('{file}'));
    return true;
  }

  /**
   * The verified file, or null when it is not here yet (retried next round) or failed integrity.
   * From the plan's relays, nearest first, then the managing server; the ready report and the log
   * say which source served it.
   */
  private async fetchContent(plan: Plan, a: PlanAssignment, signal?: AbortSignal): Promise<string | null> {
    const pkg = a.package!;
    const final = path.join(this.downloads, pkg.sha256);
    if (fs.existsSync(final)) {
      if (!this.state.get(a.assignmentId, a.attempt)) this.record(a, { state: 'ready', reason: 'content already on this machine' });
      return final;
    }
    if (this.state.get(a.assignmentId, a.attempt)?.state !== 'downloading') this.record(a, { state: 'downloading' });
    try {
      const result = await downloadContent({
        url: `${this.identity.server}${AGENT_API}/content/${pkg.sha256}`,
        relays: plan.contentSources,
        failedRelays: this.failedRelays,
        relayTimeoutMs: this.tuning.relayTimeoutMs,
        idleTimeoutMs: this.tuning.idleTimeoutMs,
        token: this.identity.token,
        sha256: pkg.sha256,
        size: pkg.size,
        dir: this.downloads,
        fetch: this.world.fetch,
        signal,
      });
      const resumed = result.resumedFrom > 0 ? `, resumed at byte ${result.resumedFrom}` : '';
      const passed = result.passedOver.length ? ` (${result.passedOver.join('; ')})` : '';
      this.world.log(`${a.jobName}: downloaded ${pkg.displayName} ${pkg.version} (${pkg.size} bytes) from ${result.source}, SHA-256 verified${resumed}${passed}`);
      this.record(a, { state: 'ready', source: result.source, reason: `downloaded ${pkg.size} bytes from ${result.source}, SHA-256 verified${resumed}${passed}` });
      return result.path;
    } catch (error) {
      if (error instanceof IntegrityError) {
        this.record(a, { state: 'failed', reason: error.message });
        return null;
      }
      this.world.log(`download of ${pkg.displayName} ${pkg.version}: ${(error as Error).message}`);
      return null;
    }
  }

  /** Runs the assignment now; returns when to try again if it must wait for a turn. */
  private async execute(a: PlanAssignment, file: string | null): Promise<number | null> {
    if (a.kind === 'inventory') {
      // Offline: tried again on a later round; recorded done only once the server has the facts.
      if (await this.world.sendInventoryNow()) this.record(a, { state: 'installed', reason: 'inventory collected and sent' });
      return null;
    }
    const pkg = a.package!;
    const probe = this.world.probe;
    if (a.kind === 'install') {
      const unmet = await unmetCondition(pkg.conditions, probe);
      if (unmet) return this.done(a, { state: 'skipped', reason: unmet });
    }
    // Checked again right before it runs (as root): the file on disk must still be what was verified.
    if (file) {
      try {
        await verifyFile(file, pkg.sha256, pkg.size);
      } catch (error) {
        fs.rmSync(file, { force: true });
        return this.done(a, { state: 'failed', reason: (error as Error).message });
      }
    }
    const found = await detect(pkg.detection, probe);
    if (a.kind === 'install' && found === true) return this.done(a, { state: 'installed', reason: 'already installed (detection rule); nothing was run' });
    if (a.kind === 'uninstall' && found === false) return this.done(a, { state: 'installed', reason: 'not installed (detection rule); nothing to remove' });

    if (a.askTurn || a.maxConcurrent !== null) {
      // The server decides the start (a cap, or a user who may still change their mind or defer):
      // asked after the checks and the file's verification, which take seconds, so a machine that
      // has it already never takes a turn from another and a choice made meanwhile wins. Queued
      // steps go first, or the server would refuse them once the turn moves the row on.
      await this.world.sendReports();
      const turn = await this.world.requestTurn(a);
      if (this.world.tokenRefused()) return null;
      if (!turn && a.maxConcurrent === null) {
        // Unreachable is not a refusal: an install the plan says is due runs offline, at its time.
        this.world.log(`${a.jobName}: the server cannot be reached to confirm the start; starting as the plan says`);
      } else if (!turn?.granted) {
        this.world.log(`${a.jobName}: ${turn ? turn.message : 'the server cannot be reached to give a turn (this job limits installs at once)'}`);
        if (turn && turn.retryAfterSeconds === null) return null;
        return this.world.now() + (turn?.retryAfterSeconds ? turn.retryAfterSeconds * 1000 : TURN_WAIT_MS);
      }
    }
    // Only now the installing report and the journal entry (on disk before the installer starts:
    // see recover()). After a granted turn the server has made this move itself, so the report
    // cannot be refused; nothing runs before the server has had its say.
    this.record(a, { state: 'installing' });
    await this.world.sendReports();
    let argv: string[] | null;
    let note: string | undefined;
    try {
      if (a.kind === 'uninstall') {
        argv = uninstallArgv(pkg);
        if (!argv) return this.done(a, { state: 'failed', reason: 'the package has no uninstall command and no package detection rule to remove it by' });
        if (file) argv = argv.map((arg) => arg.replaceAll('{file}', file));
      } else {
        ({ argv, note } = await prepareInstall(pkg, file!));
      }
    } catch (error) {
      return this.done(a, { state: 'failed', reason: (error as Error).message });
    }
    if (!argv) return this.done(a, { state: 'installed', reason: note });

    // The program and the number of arguments only: arguments may hold secrets (a licence key).
    this.world.log(`${a.kind} ${pkg.displayName} ${pkg.version}: ${argv[0]} with ${argv.length - 1} argument(s)`);
    const started = this.state.get(a.assignmentId, a.attempt)!;
    const result = await this.world.run(argv, {
      timeoutMs: pkg.installer.timeoutSeconds * 1000,
      env: installerEnv(),
      cwd: this.downloads,
      // Journaled before anything else happens: an agent killed now finds the installer on restart.
      onSpawn: (child) => this.state.set(a.assignmentId, { ...started, child }),
    });
    const output = result.output.length > OUTPUT_LIMIT ? result.output.slice(-OUTPUT_LIMIT) : result.output;
    const ok = result.exitCode !== null && pkg.installer.successExitCodes.includes(result.exitCode);
    if (!ok) {
      const reason = result.error
        ? result.error
        : result.timedOut
          ? `timed out after ${pkg.installer.timeoutSeconds} s; the installer's process tree was killed`
          : result.exitCode === null
            ? `ended by signal ${result.signal}`
            : `exit code ${result.exitCode} (success: ${pkg.installer.successExitCodes.join(', ')})`;
      return this.done(a, { state: 'failed', exitCode: result.exitCode, output, reason });
    }
    if (a.kind === 'install' && (await detect(pkg.detection, probe)) === false) {
      return this.done(a, { state: 'failed', exitCode: result.exitCode, output, reason: 'the installer succeeded but the detection rule does not find the package' });
    }
    return this.done(a, { state: 'installed', exitCode: result.exitCode, output, reason: note });
  }

  /**
   * The agent stopped while this install ran (killed, power lost). Running the installer again
   * blindly could do harm (a half-applied upgrade run twice), so the detection rule decides.
   */
  private async recover(a: PlanAssignment, child: ChildIdentity | undefined, signal?: AbortSignal): Promise<void> {
    // The installer runs in its own process group, so it outlives a killed agent: wait for it
    // (at most its own timeout) before the detection rule judges a half-finished install.
    if (child && a.package) {
      this.world.log(`${a.jobName}: the ${a.kind} started by the previous agent (pid ${child.pid}) may still be running; waiting for it to end`);
      const gone = await this.world.waitForChild(child, a.package.installer.timeoutSeconds * 1000, signal);
      if (!gone && signal?.aborted) return;
      if (!gone) this.world.log(`${a.jobName}: pid ${child.pid} still runs after the installer's timeout; the detection rule decides now`);
    }
    const found = a.package && a.kind !== 'inventory' ? await detect(a.package.detection, this.world.probe) : null;
    const done = a.kind === 'uninstall' ? found === false : found === true;
    if (done) {
      this.record(a, { state: 'installed', reason: `the agent stopped during the ${a.kind}; the detection rule finds it done, so nothing was run again` });
    } else {
      const why = found === null ? 'the package has no detection rule to check it by' : 'the detection rule does not find it done';
      this.record(a, { state: 'failed', reason: `the agent stopped during the ${a.kind} and ${why}; it was not run again blindly (re-run to try again)` });
    }
  }

  /**
   * Queues the report, then journals the state: a crash between the two leaves a queued final
   * report that step() finds, never a journal that says done with no report to send.
   */
  /** Records a final outcome: nothing more is due for this attempt. */
  private done(a: PlanAssignment, outcome: Outcome): null {
    this.record(a, outcome);
    return null;
  }

  private record(a: PlanAssignment, outcome: Outcome): void {
    const at = new Date(this.world.now()).toISOString();
    // Output is whatever the program printed: NUL and lone surrogates are replaced, or the server
    // could not store the report (and, before it refused per event, the outbox stuck on it).
    const clean = outcome.reason === undefined ? undefined : sanitizeText(outcome.reason);
    const reason = clean && clean.length > REASON_LIMIT ? `${clean.slice(0, REASON_LIMIT - 1)}…` : clean;
    const output = outcome.output === undefined ? {} : { output: sanitizeText(outcome.output) };
    this.outbox.add({ assignmentId: a.assignmentId, attempt: a.attempt, at, ...outcome, ...output, ...(reason === undefined ? {} : { reason }) });
    this.state.set(a.assignmentId, { attempt: a.attempt, state: outcome.state, at });
    // A completed uninstall reports `installed` (the job's target state); the log says what happened.
    const said = a.kind === 'uninstall' && outcome.state === 'installed' ? 'removed' : outcome.state;
    if (FINISHED.has(outcome.state)) this.world.log(`${a.jobName}: ${said}${reason ? ` (${reason})` : ''}`);
  }

  /** Removes downloads no unfinished assignment of the plan needs any more. */
  private pruneDownloads(plan: Plan): void {
    const needed = new Set(
      plan.assignments.filter((a) => a.package && !FINISHED.has(this.state.get(a.assignmentId, a.attempt)?.state ?? 'downloading')).map((a) => a.package!.sha256),
    );
    let names: string[];
    try {
      names = fs.readdirSync(this.downloads);
    } catch {
      return;
    }
    for (const name of names) {
      if (!needed.has(name.replace(/\.part$/, ''))) fs.rmSync(path.join(this.downloads, name), { force: true });
    }
  }
}
