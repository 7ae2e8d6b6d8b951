/**
 * Runs one program (an installer, a detection command) and reports its exit code and the tail of
 * its output. The agent runs these as root, so:
 *
 * - argv only, never a shell; stdin is closed (ignored).
 * - The child leads its own process group (detached: true), and on timeout or abort the whole
 *   group gets SIGTERM, then SIGKILL after killGraceMs if anything in it is still alive.
 * - After the child exits, whatever it left behind in its group (background processes, which may
 *   hold the output pipes open) is killed the same way before the promise resolves. A process
 *   that leaves the group (setsid, double fork into a new group) is out of reach here.
 * - stdout and stderr are merged in arrival order into a ring buffer holding only the last
 *   outputLimit bytes.
 * - Never throws: a program that cannot be started resolves with `error` set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface RunOptions {
  cwd?: string;
  /** The child's whole environment (nothing is inherited when given). */
  env?: Record<string, string | undefined>;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL; default 5000. */
  killGraceMs?: number;
  /** Bytes of output kept (the last ones); default 65536. */
  outputLimit?: number;
  signal?: AbortSignal;
  /**
   * Called once the child runs, with its pid and its start time (field 22 of /proc/<pid>/stat,
   * null where there is no /proc): the install journal records both, so an agent killed meanwhile
   * can find the installer still running after a restart without mistaking a reused pid for it.
   */
  onSpawn?(child: ChildIdentity): void;
}

/** A process as the journal knows it: a pid alone may be reused after the process ends. */
export interface ChildIdentity {
  pid: number;
  startTime: string | null;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  output: string;
  truncated: boolean;
  durationMs: number;
  /** Why the program could not be started, e.g. "program not found: foo". */
  error?: string;
}

export type ProcessRunner = (argv: string[], options: RunOptions) => Promise<RunResult>;

const DEFAULT_KILL_GRACE_MS = 5000;
const DEFAULT_OUTPUT_LIMIT = 65536;
/** How long pipes may stay open after the child's exit before its leftovers are killed. */
const PIPE_GRACE_MS = 200;
/** How often a group being killed is checked for survivors. */
const POLL_MS = 20;
/** setTimeout fires at once for delays past 2^31 - 1 ms, so longer timeouts are capped (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keeps the last `limit` bytes written to it, never holding more. */
class ByteRing {
  private readonly buf: Buffer;
  private end = 0; // next write position
  private filled = 0;
  total = 0;

  constructor(private readonly limit: number) {
    this.buf = Buffer.alloc(limit);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.limit === 0) return;
    if (chunk.length >= this.limit) {
      chunk.copy(this.buf, 0, chunk.length - this.limit);
      this.end = 0;
      this.filled = this.limit;
      return;
    }
    const first = Math.min(chunk.length, this.limit - this.end);
    chunk.copy(this.buf, this.end, 0, first);
    chunk.copy(this.buf, 0, first); // the wrapped remainder, if any
    this.end = (this.end + chunk.length) % this.limit;
    this.filled = Math.min(this.limit, this.filled + chunk.length);
  }

  get truncated(): boolean {
    return this.total > this.filled;
  }

  text(): string {
    let bytes = this.filled < this.limit ? this.buf.subarray(0, this.filled) : Buffer.concat([this.buf.subarray(this.end), this.buf.subarray(0, this.end)]);
    // The cut may have split a UTF-8 character: drop its continuation bytes (10xxxxxx) at the start.
    if (this.truncated) {
      let skip = 0;
      while (skip < 3 && skip < bytes.length && (bytes[skip] & 0xc0) === 0x80) skip++;
      bytes = bytes.subarray(skip);
    }
    return bytes.toString('utf8');
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Whether any process of the group is still running. A killed process whose parent is gone stays
 * a zombie until init reaps it, and some inits (containers) never do: on Linux, zombies don't count.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, but not ours to signal
  }
  if (process.platform !== 'linux') return true;
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    }
    return false;
  } catch {
    return true; // no /proc to look at: trust kill(0)
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise`, but at most `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function spawnError(err: NodeJS.ErrnoException, argv0: string, cwd: string | undefined): string {
  // A missing working directory also fails with ENOENT.
  if (err.code === 'ENOENT' && cwd !== undefined && !fs.existsSync(cwd)) return `working directory not found: ${cwd}`;
  if (err.code === 'ENOENT') return `program not found: ${argv0}`;
  if (err.code === 'EACCES') return `permission denied: ${argv0}`;
  return `cannot start ${argv0}: ${err.code ?? err.message}`;
}

export const runProcess: ProcessRunner = async (argv, options) => {
  const started = performance.now();
  const output = new ByteRing(Math.max(0, Math.floor(options.outputLimit ?? DEFAULT_OUTPUT_LIMIT)));
  const killGraceMs = Math.min(MAX_TIMER_MS, Math.max(0, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS));
  let timedOut = false;
  let aborted = false;
  const result = (rest: Pick<RunResult, 'exitCode' | 'signal'> & { error?: string }): RunResult => ({
    ...rest,
    timedOut,
    aborted,
    output: output.text(),
    truncated: output.truncated,
    durationMs: Math.round(performance.now() - started),
  });

  if (argv.length === 0 || !argv[0]) return result({ exitCode: null, signal: null, error: 'no program given' });
  if (!(options.timeoutMs > 0)) return result({ exitCode: null, signal: null, error: `invalid timeout: ${options.timeoutMs}` });
  if (options.signal?.aborted) {
    aborted = true;
    return result({ exitCode: null, signal: null });
  }

  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: (options.env ?? process.env) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true, shell: false });
  } catch (err) {
    // Invalid arguments and rarer spawn failures throw instead of emitting 'error'.
    return result({ exitCode: null, signal: null, error: spawnError(err as NodeJS.ErrnoException, argv[0], options.cwd) });
  }
  const errored = new Promise<NodeJS.ErrnoException>((resolve) => child.on('error', resolve));
  if (child.pid === undefined) {
    // ENOENT, EACCES and the like arrive as an 'error' event on the next tick.
    const err = await errored;
    child.stdout?.destroy();
    child.stderr?.destroy();
    return result({ exitCode: null, signal: null, error: spawnError(err, argv[0], options.cwd) });
  }
  const pid = child.pid;
  options.onSpawn?.({ pid, startTime: processStartTime(pid) });

  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => output.push(chunk));
    stream?.on('error', () => {}); // a broken pipe must not crash the agent
  }
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  // SIGTERM to the group now, SIGKILL after the grace period if anything in it still runs.
  let killing = false;
  let graceOver = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const killGroup = () => {
    if (killing) return;
    killing = true;
    signalGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => {
      graceOver = true;
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    }, killGraceMs);
  };
  const timeout = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, Math.min(options.timeoutMs, MAX_TIMER_MS));
  const onAbort = () => {
    aborted = true;
    killGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const [exitCode, signal] = await exited;
  clearTimeout(timeout);
  options.signal?.removeEventListener('abort', onAbort);

  // The child is gone. Let the pipes deliver what is left; then kill anything it left in its group
  // (which may be what holds the pipes open) and wait until that is dead or has had its SIGKILL.
  await within(closed, PIPE_GRACE_MS);
  if (groupAlive(pid)) killGroup();
  if (killing) {
    while (!graceOver && groupAlive(pid)) await delay(POLL_MS);
    clearTimeout(graceTimer);
  }
  await within(closed, PIPE_GRACE_MS);
  child.stdout?.destroy();
  child.stderr?.destroy();
  return result({ exitCode, signal });
};

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "(comm)": state is field 3, starttime field 22, so index 19 of what follows.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether this very process still runs: the same pid with the same start time, and not a zombie.
 * Without /proc (no start time recorded) a pid alone is not trusted: a reused one is not waited for.
 */
export function childRunning(child: ChildIdentity): boolean {
  if (child.startTime === null) return false;
  try {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] === child.startTime && fields[0] !== 'Z' && fields[0] !== 'X';
  } catch {
    return false;
  }
}

/**
 * Waits until the child is gone, checking every pollMs, for at most timeoutMs (or until signal
 * aborts); true when it is gone. For an installer left running by an agent that was killed.
 */
export async function waitForChild(child: ChildIdentity, timeoutMs: number, signal?: AbortSignal, pollMs = 200): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (childRunning(child)) {
    if (signal?.aborted || Date.now() >= until) return false;
    await delay(pollMs);
  }
  return true;
}
