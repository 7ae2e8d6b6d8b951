import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detect, realProbe } from './checks';
import { runProcess } from './process-runner';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('the file detection rule on the real machine', () => {
  const probe = realProbe(runProcess);
  const sha = 'a'.repeat(64);

  it('does not read a device that never ends (/dev/zero)', async () => {
    expect(await probe.fileSha256('/dev/zero')).toBeNull();
    expect(await detect({ kind: 'file', path: '/dev/zero', sha256: sha }, probe)).toBe(false);
  });

  it('does not wait for a writer on a FIFO', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-checks-'));
    dirs.push(dir);
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await probe.fileSha256(fifo)).toBeNull();
    expect(await detect({ kind: 'file', path: fifo, sha256: sha }, probe)).toBe(false);
  });

  it('still hashes a regular file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-checks-'));
    dirs.push(dir);
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'abc');
    expect(await probe.fileSha256(file)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
