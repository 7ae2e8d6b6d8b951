/**
 * Sequential GETs of a list of URLs against a real server process, interleaved round by round so
 * drift in machine load hits every URL alike; per URL p50/p95/max latency and the server
 * process's own CPU per request. Shared by the page benchmarks (admin P7, portal).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';

export interface UrlTarget {
  label: string;
  path: string;
  /** A baseline shows the machine's noise floor; it is sent without the session and not judged. */
  baseline?: boolean;
}

interface Timed {
  ms: number;
  bytes: number;
  /** CPU time the server process spent while this request was in flight (user + system). */
  cpuMs: number;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The server process's CPU time so far, in ms: less sensitive to neighbours on a shared machine than latency. */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // utime and stime: fields 14 and 15, counted after the parenthesised command name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function get(agent: http.Agent, url: string, pid: number, cookie?: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const cpu = cpuMsOf(pid);
    const t = performance.now();
    http
      .get(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}, expected 200`));
          else resolve({ ms: performance.now() - t, bytes, cpuMs: cpuMsOf(pid) - cpu });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * Measures every target `requests` times after `warmup` rounds and returns report lines: one per
 * URL, then every judged URL together against `goalMs`. The first line says the load average.
 */
export async function measureUrls(o: { baseUrl: string; pid: number; cookie: string; targets: UrlTarget[]; requests: number; warmup: number; goalMs: number; who: string }): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results = new Map<string, Timed[]>(o.targets.map((t) => [t.label, []]));
  const loadBefore = os.loadavg()[0];
  try {
    for (let round = 0; round < o.warmup + o.requests; round++) {
      for (const t of o.targets) {
        const timed = await get(agent, `${o.baseUrl}${t.path}`, o.pid, t.baseline ? undefined : o.cookie);
        if (round >= o.warmup) results.get(t.label)!.push(timed);
      }
    }
  } finally {
    agent.destroy();
  }
  const lines = [
    `     ${o.requests} sequential requests per URL after ${o.warmup} warm-up, interleaved, signed in as ${o.who}, whole body read, client on the same ${os.cpus().length}-core machine`,
    `     (load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after; "cpu" is the server process's own CPU per request, mean, which neighbours disturb less than latency; PostgreSQL's is not in it):`,
  ];
  const all: number[] = [];
  let worst = { label: '', p95: 0 };
  for (const t of o.targets) {
    const xs = results.get(t.label)!.map((r) => r.ms).sort((a, b) => a - b);
    const p95 = percentile(xs, 95);
    const kib = results.get(t.label)![0].bytes / 1024;
    const cpu = results.get(t.label)!.reduce((sum, r) => sum + r.cpuMs, 0) / xs.length;
    if (!t.baseline) {
      all.push(...xs);
      if (p95 > worst.p95) worst = { label: t.label, p95 };
    }
    const mark = t.baseline ? '' : p95 < o.goalMs ? '' : '  ✗ over goal';
    lines.push(`       ${t.label.padEnd(50)} p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   max ${xs[xs.length - 1].toFixed(0).padStart(4)} ms   cpu ${cpu.toFixed(0).padStart(3)} ms   ${kib.toFixed(0).padStart(4)} KiB${mark}`);
  }
  all.sort((a, b) => a - b);
  lines.push(
    `       every judged request together: p50 ${percentile(all, 50).toFixed(1)} ms, p95 ${percentile(all, 95).toFixed(1)} ms (goal < ${o.goalMs} ms); slowest URL by p95: ${worst.label.trim()} (${worst.p95.toFixed(1)} ms)`,
    `       (the baselines above are this machine's noise floor: subtract nothing, but read a page's figure against them)`,
  );
  return lines;
}
