import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { ContentStore } from './store';

const roots: string[] = [];
function store(): ContentStore {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-store-'));
  roots.push(root);
  return new ContentStore(root);
}
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function chunks(total: number, chunk = 64 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(chunk, total - sent);
      sent += n;
      this.push(Buffer.alloc(n, sent % 251));
    },
  });
}

describe('ContentStore', () => {
  it('hashes while streaming and renames into a content-addressed path', async () => {
    const s = store();
    const data = crypto.randomBytes(300_000);
    const temp = await s.writeTemp(Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), 1_000_000);
    expect(temp.sha256).toBe(crypto.createHash('sha256').update(data).digest('hex'));
    expect(temp.size).toBe(300_000);
    expect(await s.commit(temp)).toBe(true);
    const final = s.pathOf(temp.sha256);
    expect(final).toBe(path.join(s.root, temp.sha256.slice(0, 2), temp.sha256));
    expect(fs.readFileSync(final).equals(data)).toBe(true);
    expect(fs.readdirSync(s.tempDir)).toEqual([]);
  });

  it('stores identical content once', async () => {
    const s = store();
    const a = await s.writeTemp(Readable.from([Buffer.from('same')]), 100);
    const b = await s.writeTemp(Readable.from([Buffer.from('same')]), 100);
    expect(await s.commit(a)).toBe(true);
    expect(await s.commit(b)).toBe(false);
    expect(fs.readdirSync(s.tempDir)).toEqual([]);
  });

  it('refuses content over the limit with 413 and leaves no file', async () => {
    const s = store();
    const error = await s.writeTemp(chunks(2_000_000), 1_000_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(413);
    expect((error as AppError).field).toBe('file');
    expect(fs.readdirSync(s.tempDir)).toEqual([]);
  });

  it('leaves no file when the source breaks off half-way', async () => {
    const s = store();
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(s.writeTemp(source, 1_000_000)).rejects.toThrow('connection reset');
    expect(fs.readdirSync(s.tempDir)).toEqual([]);
  });

  it('sweeps only old temp files', async () => {
    const s = store();
    fs.mkdirSync(s.tempDir, { recursive: true });
    fs.writeFileSync(path.join(s.tempDir, 'old.part'), 'x');
    fs.writeFileSync(path.join(s.tempDir, 'new.part'), 'x');
    const old = new Date(Date.now() - 48 * 3600 * 1000);
    fs.utimesSync(path.join(s.tempDir, 'old.part'), old, old);
    expect(await s.sweepTemp()).toBe(1);
    expect(fs.readdirSync(s.tempDir)).toEqual(['new.part']);
  });
});
