/**
 * The built depot-relay binary as an operator runs it (agent/bin/depot-relay.mjs, which runs the
 * bundle `npm run build` makes), for integration tests and benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectDir } from './server';
import { waitFor } from './wait-for';

export interface RelayProcess {
  url: string;
  child: ChildProcess;
  pid: number;
  /** Everything it printed so far. */
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

const bundles = ['depot-relay', 'depot-agent'].map((name) => path.join(projectDir, `agent/dist/${name}.js`));
const sourceDirs = ['agent/relay', 'agent/agent', 'agent/shared', 'lib/contract'].map((d) => path.join(projectDir, d));

/**
 * Throws unless the bundles are newer than their sources: a stale bundle would make the bin
 * fall back to tsx and test the sources instead of what operators run, much slower.
 */
export function requireFreshBundles(): void {
  const newest = Math.max(...sourceDirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => fs.statSync(path.join(d, f)).mtimeMs)));
  for (const bundle of bundles) {
    const built = fs.statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (built < newest) throw new Error(`${path.relative(projectDir, bundle)} is missing or older than its sources: run npm run build first`);
  }
}

/**
 * Starts depot-relay with these arguments (--listen defaults to a free port on 127.0.0.1) and
 * waits until it listens. nodeArgs go to node itself (--cpu-prof for a benchmark's profile).
 */
export async function startRelayProcess(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RelayProcess> {
  const listen = args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  const child = spawn(process.execPath, [...nodeArgs, path.join(projectDir, 'agent/bin/depot-relay.mjs'), ...listen, ...args], {
    cwd: projectDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  await waitFor(() => /listening on http:\/\/[\d.]+:\d+/.test(out) || code !== undefined, 20_000);
  const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
  if (!match) throw new Error(`depot-relay did not start:\n${out}`);
  return {
    url: match[1],
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
