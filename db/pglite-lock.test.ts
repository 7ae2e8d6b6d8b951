import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirInUseError } from './pglite-lock';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('acquireDataDirLock', () => {
  it('refuses a second holder and names the first', () => {
    const dir = tempDir();
    // Another live process on this host holds it.
    fs.writeFileSync(path.join(dir, 'depot.lock'), JSON.stringify({ pid: 424_242, host: os.hostname(), startedAt: 'earlier', command: 'server.ts' }));
    const error = (() => {
      try {
        acquireDataDirLock(dir, () => true);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as Error).message).toContain('in use by process 424242');
    expect((error as Error).message).toContain('DEPOT_DATA_DIR');
  });

  it('releases only its own lock', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('takes over a lock left by a process that died', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'depot.lock'), JSON.stringify({ pid: 999_999, host: os.hostname(), startedAt: 'then' }));
    const lock = acquireDataDirLock(dir, (pid) => pid !== 999_999);
    expect(JSON.parse(fs.readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
  });

  it('takes over a lock carrying its own pid (a restarted container)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'depot.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'a previous life' }));
    acquireDataDirLock(dir).release();
  });

  it('does not take over a live process on another host’s lock', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'depot.lock'), JSON.stringify({ pid: 999_999, host: 'other-host', startedAt: 'then' }));
    expect(() => acquireDataDirLock(dir, () => false)).toThrow(/process 999999 on other-host/);
    expect(() => acquireDataDirLock(dir, () => false)).toThrow(/if no Depot runs there any more, delete/);
  });
});
