import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for';
import { runProcess } from './process-runner';

const node = process.execPath;
const dirs: string[] = [];
const strays: number[] = [];
afterEach(() => {
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  // Should a test fail half-way, don't leave its sleeps behind.
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

function tempDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-runner-'));
  dirs.push(d);
  return d;
}

/** Gone, or a zombie: dead, merely not reaped yet (some container inits never reap orphans). */
function dead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

// A killed process is reaped by its parent a moment later: an effect with no event to wait on.
function eventuallyDead(pid: number): Promise<boolean> {
  return waitFor(() => dead(pid), 2000).then(
    () => true,
    () => false,
  );
}

function readPid(file: string): number {
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  expect(pid).toBeGreaterThan(1);
  strays.push(pid);
  return pid;
}

describe('runProcess', () => {
  it('passes the exit code through', async () => {
    const r = await runProcess(['sh', '-c', 'exit 3'], { timeoutMs: 5000 });
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, aborted: false, output: '', truncated: false });
    expect(r.error).toBeUndefined();
    expect((await runProcess(['true'], { timeoutMs: 5000 })).exitCode).toBe(0);
  });

  it('merges stdout and stderr in arrival order', async () => {
    const r = await runProcess(['sh', '-c', 'echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three'], { timeoutMs: 5000 });
    expect(r.output).toBe('one\ntwo\nthree\n');
  });

  it('passes arguments as they are, with no shell, in cwd and env', async () => {
    const dir = tempDir();
    const r = await runProcess([node, '-e', 'console.log(process.cwd(), process.argv[1], process.env.DEPOT_X)', '$HOME; echo *'], {
      timeoutMs: 5000,
      cwd: dir,
      env: { ...process.env, DEPOT_X: 'x y' },
    });
    expect(r.output).toBe(`${fs.realpathSync(dir)} $HOME; echo * x y\n`);
  });

  it('keeps exactly the tail of output over the limit', async () => {
    // 25,000 numbered lines of 8 bytes: 200,000 bytes in many chunks.
    const script = 'let s = ""; for (let i = 0; i < 25000; i++) s += String(i).padStart(7, "0") + "\\n"; process.stdout.write(s);';
    let all = '';
    for (let i = 0; i < 25000; i++) all += String(i).padStart(7, '0') + '\n';
    const r = await runProcess([node, '-e', script], { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.output.length).toBe(65536);
    expect(r.output).toBe(all.slice(-65536));
    expect(r.output.endsWith('0024999\n')).toBe(true);

    const small = await runProcess([node, '-e', script], { timeoutMs: 10_000, outputLimit: 1000 });
    expect(small.output).toBe(all.slice(-1000));
  });

  it('keeps output at the limit whole, and drops a multi-byte character cut at the start', async () => {
    const exact = await runProcess(['printf', '12345'], { timeoutMs: 5000, outputLimit: 5 });
    expect(exact).toMatchObject({ output: '12345', truncated: false });
    // "é" is two bytes: keeping the last 4 of "aéxyz" cuts it in half.
    const cut = await runProcess(['printf', 'aéxyz'], { timeoutMs: 5000, outputLimit: 4 });
    expect(cut).toMatchObject({ output: 'xyz', truncated: true });
  });

  it('kills the whole process tree on timeout', async () => {
    const pidfile = path.join(tempDir(), 'pid');
    const r = await runProcess(['sh', '-c', `sleep 100 & echo $! > '${pidfile}'; sleep 100`], { timeoutMs: 300 });
    expect(r).toMatchObject({ timedOut: true, aborted: false, exitCode: null, signal: 'SIGTERM' });
    expect(r.durationMs).toBeGreaterThanOrEqual(290);
    expect(r.durationMs).toBeLessThan(3000);
    expect(await eventuallyDead(readPid(pidfile))).toBe(true);
  });

  it('sends SIGKILL after the grace period to a child that ignores SIGTERM', async () => {
    const r = await runProcess(['sh', '-c', 'trap "" TERM; sleep 100'], { timeoutMs: 300, killGraceMs: 300 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(r.durationMs).toBeGreaterThanOrEqual(590);
    expect(r.durationMs).toBeLessThan(3000);
  });

  it('kills the tree when aborted', async () => {
    const pidfile = path.join(tempDir(), 'pid');
    const controller = new AbortController();
    const running = runProcess(['sh', '-c', `sleep 100 & echo $! > '${pidfile}'; echo started; sleep 100`], { timeoutMs: 60_000, signal: controller.signal });
    await waitFor(() => fs.existsSync(pidfile) && fs.readFileSync(pidfile, 'utf8').includes('\n'));
    controller.abort();
    const r = await running;
    expect(r).toMatchObject({ aborted: true, timedOut: false, exitCode: null, signal: 'SIGTERM', output: 'started\n' });
    expect(r.durationMs).toBeLessThan(3000);
    expect(await eventuallyDead(readPid(pidfile))).toBe(true);
  });

  it('does not start anything when already aborted', async () => {
    const marker = path.join(tempDir(), 'ran');
    const r = await runProcess(['touch', marker], { timeoutMs: 5000, signal: AbortSignal.abort() });
    expect(r).toMatchObject({ aborted: true, exitCode: null });
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('reports a missing or non-executable program instead of throwing', async () => {
    expect(await runProcess(['depot-no-such-program'], { timeoutMs: 5000 })).toMatchObject({ exitCode: null, error: 'program not found: depot-no-such-program', output: '' });
    const file = path.join(tempDir(), 'not-executable');
    fs.writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    expect(await runProcess([file], { timeoutMs: 5000 })).toMatchObject({ exitCode: null, error: `permission denied: ${file}` });
    expect(await runProcess(['true'], { timeoutMs: 5000, cwd: '/no/such/dir' })).toMatchObject({ exitCode: null, error: 'working directory not found: /no/such/dir' });
    expect(await runProcess(['a\0b'], { timeoutMs: 5000 })).toMatchObject({ exitCode: null, error: expect.stringContaining('cannot start') });
    expect(await runProcess([], { timeoutMs: 5000 })).toMatchObject({ error: 'no program given' });
  });

  it('resolves promptly when a background grandchild keeps stdout open, and kills it', async () => {
    const pidfile = path.join(tempDir(), 'pid');
    const r = await runProcess(['sh', '-c', `sleep 30 & echo $! > '${pidfile}'; echo done`], { timeoutMs: 60_000 });
    expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false, output: 'done\n' });
    expect(r.durationMs).toBeLessThan(2000);
    expect(await eventuallyDead(readPid(pidfile))).toBe(true);
  });
});
