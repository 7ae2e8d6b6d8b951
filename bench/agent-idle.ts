/**
 * (P4) The agent's cost on an idle machine: a real `depot-agent run` enrolled with a real server,
 * polling (304s) with nothing to do. Resident memory (median and peak of 1 s samples) and CPU
 * share over the measured span, beside a bare Node process idling in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSecret } from '../test/helpers/agent';
import { demoAdmin } from '../test/helpers/demo';
import { depotAgent } from '../test/helpers/depot-pack';
import { mustSignIn } from '../test/helpers/http';
import { projectDir, startServer } from '../test/helpers/server';

const SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 180);
const WARMUP_SECONDS = 20;
const TICKS = 100; // USER_HZ on Linux

function sample(pid: number): { rssBytes: number; cpuTicks: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  // Fields 14 and 15 (utime, stime) after the parenthesised command name.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssBytes: rss, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const MiB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

async function measure(child: ChildProcess): Promise<{ rss: number; peak: number; cpuPercent: number }> {
  const pid = child.pid!;
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  const first = sample(pid);
  const t0 = performance.now();
  const rss: number[] = [];
  for (let i = 0; i < SECONDS; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(sample(pid).rssBytes);
  }
  const last = sample(pid);
  const seconds = (performance.now() - t0) / 1000;
  return { rss: median(rss), peak: Math.max(...rss), cpuPercent: ((last.cpuTicks - first.cpuTicks) / TICKS / seconds) * 100 };
}

export async function benchAgentIdle(): Promise<string[]> {
  const server = await startServer({ pglite: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-bench-agent-'));
  const children: ChildProcess[] = [];
  try {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const env = { DEPOT_AGENT_DIR: dir, DEPOT_ENROLMENT_SECRET: await createSecret(server.url, admin, 'bench') };
    const enrolled = await depotAgent(['enroll', '--server', server.url], env);
    if (enrolled.status !== 0) throw new Error(`enrol failed: ${enrolled.stderr}`);
    const agent = spawn(process.execPath, [...(process.env.BENCH_AGENT_NODE_FLAGS ?? '').split(' ').filter(Boolean), path.join(projectDir, 'agent/bin/depot-agent.mjs'), 'run'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
    children.push(agent, bare);
    const [a, b] = await Promise.all([measure(agent), measure(bare)]);
    return [
      `(P4) agent idle over ${SECONDS} s after ${WARMUP_SECONDS} s of start-up (polling every 60-90 s, nothing to do):`,
      `  depot-agent run  RSS median ${MiB(a.rss)}, peak ${MiB(a.peak)}, CPU ${a.cpuPercent.toFixed(3)} %   (goal ≤ 50 MB, ≤ 0.1 %)`,
      `  bare node idle   RSS median ${MiB(b.rss)}, peak ${MiB(b.peak)}, CPU ${b.cpuPercent.toFixed(3)} %   (the floor of any Node process)`,
    ];
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
