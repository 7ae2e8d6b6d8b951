/**
 * A crowd of machines downloading one content at once, in its own process (as machines are), so
 * the benchmark's own process only watches. Reads {url, tokens, size} as JSON on stdin; each
 * token downloads the URL once, reading and discarding the body and checking its size; prints
 * {seconds, bytes, cpuSeconds} as JSON. Any refusal or short body fails the run.
 */
import http from 'node:http';
import { text } from 'node:stream/consumers';

interface Crowd {
  url: string;
  tokens: string[];
  size: number;
}

function download(url: string, token: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`${url} answered ${res.statusCode}`));
        }
        let received = 0;
        res.on('data', (chunk: Buffer) => (received += chunk.length));
        res.on('end', () => (received === size ? resolve(received) : reject(new Error(`received ${received} of ${size} bytes`))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const crowd = JSON.parse(await text(process.stdin)) as Crowd;
// From here: the process's start-up is not the downloads' cost.
const cpu0 = process.cpuUsage();
const started = performance.now();
const received = await Promise.all(crowd.tokens.map((token) => download(crowd.url, token, crowd.size)));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ seconds, bytes: received.reduce((a, b) => a + b, 0), cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
