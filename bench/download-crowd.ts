/**
 * A crowd of machines downloading one content at once, in its own process (as machines are), so
 * the benchmark's own process only watches. Reads {url, tokens, size} as JSON on stdin; each
 * token downloads the URL once with its own curl process, discarding the body; every answer must
 * be 200 with the whole size. Prints {seconds, bytes, cpuSeconds} as JSON, cpuSeconds being the
 * curls' own CPU (user + system).
 *
 * Why curl and not Node's http client, as depot-agent uses: the clients share the relay's 2 cores,
 * and what they spend is taken from the relay. Measured on 20 downloads of 1 GiB: Node's client
 * in one process spent 1.2 s of CPU per GiB and capped the crowd at one core (0.8 GiB/s, whatever
 * the relay did); a curl per machine spends 0.3–0.6 s per GiB, on both cores.
 */
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { childrenCpuSeconds } from './proc-stat';

interface Crowd {
  url: string;
  tokens: string[];
  size: number;
}

function download(url: string, token: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // The token goes in curl's config on stdin, never in argv where ps shows it.
    // At nice 10: the crowd stands in for machines elsewhere, whose CPU is not the relay host's.
    // At equal priority, 200 busy curls left the server a 1/200 share of the cores, and the
    // relay's authorization HEADs for the last machines timed out (502) behind the first ones'
    // transfers.
    const curl = spawn('nice', ['-n', '10', 'curl', '--silent', '--show-error', '--config', '-', '--output', '/dev/null', '--write-out', '%{http_code} %{size_download}'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    curl.stdout.on('data', (d: Buffer) => (out += d.toString()));
    curl.stderr.on('data', (d: Buffer) => (err += d.toString()));
    curl.on('error', reject);
    curl.on('close', (code) => {
      const [status, received] = out.split(' ').map(Number);
      // nice exits 127 when it cannot find curl.
      if (code === 127) return reject(new Error('the relay bench needs curl for its clients: apt-get install -y curl'));
      if (code !== 0) return reject(new Error(`curl exited ${code}: ${err.trim()}`));
      if (status !== 200) return reject(new Error(`${url} answered ${status}`));
      if (received !== size) return reject(new Error(`received ${received} of ${size} bytes`));
      resolve(received);
    });
    curl.stdin.end(`url = "${url}"\nheader = "Authorization: Bearer ${token}"\n`);
  });
}

const crowd = JSON.parse(await text(process.stdin)) as Crowd;
// From here: the process's start-up is not the downloads' cost.
const cpu0 = childrenCpuSeconds();
const started = performance.now();
const received = await Promise.all(crowd.tokens.map((token) => download(crowd.url, token, crowd.size)));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, bytes: received.reduce((a, b) => a + b, 0), cpuSeconds: childrenCpuSeconds() - cpu0 }));
