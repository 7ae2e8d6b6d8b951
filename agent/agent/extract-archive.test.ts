import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveRejected, extractArchive } from './extract-archive';

let tmp: string; // holds src/, the archive, target/ and outside/ (which must stay empty)
let target: string;
let outside: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-archive-'));
  target = path.join(tmp, 'target');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Raw tar entry for hand-made (hostile) archives. */
type Raw = { name: string; type?: string; data?: string; link?: string; mode?: number; size?: number; base256?: boolean };

const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';

/** One 512-byte ustar header with a correct checksum. */
function header(e: Raw): Buffer {
  const h = Buffer.alloc(512);
  const size = e.size ?? Buffer.byteLength(e.data ?? '');
  h.write(e.name, 0, 100);
  h.write(octal(e.mode ?? 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  if (e.base256) {
    h[124] = 0x80; // GNU base-256: marker bit, then big-endian binary
    h.writeUIntBE(size, 130, 6);
  } else h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.write(e.type ?? '0', 156, 'latin1');
  h.write(e.link ?? '', 157, 100);
  h.write('ustar\0' + '00', 257, 'latin1');
  h.fill(0x20, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function rawTar(entries: Raw[], { end = true } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.data) {
      const data = Buffer.from(e.data);
      parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function writeArchive(name: string, content: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Everything below dir, as relative paths. */
const tree = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : [];

const LONG = `${'d'.repeat(60)}/${'e'.repeat(60)}/file-${'x'.repeat(40)}.txt`;
const BIG = crypto.randomBytes(3 * 1024 * 1024 + 17);

/** A source tree with nested and long names, a relative symlink, a hardlink, a setuid file and a 0500 directory. */
function makeSource(): string {
  const src = path.join(tmp, 'src');
  fs.mkdirSync(path.join(src, path.dirname(LONG)), { recursive: true });
  fs.writeFileSync(path.join(src, LONG), 'long');
  fs.writeFileSync(path.join(src, 'top.txt'), 'hello\n');
  fs.linkSync(path.join(src, 'top.txt'), path.join(src, 'hard.txt'));
  fs.mkdirSync(path.join(src, 'sub'));
  fs.symlinkSync('../top.txt', path.join(src, 'sub', 'link'));
  fs.mkdirSync(path.join(src, 'bin'));
  fs.writeFileSync(path.join(src, 'bin', 'tool'), '#!/bin/sh\n');
  fs.chmodSync(path.join(src, 'bin', 'tool'), 0o4755);
  fs.writeFileSync(path.join(src, 'big.bin'), BIG);
  fs.mkdirSync(path.join(src, 'locked'), { mode: 0o500 });
  fs.chmodSync(path.join(src, 'locked'), 0o500);
  return src;
}

function expectSourceTree(dest: string) {
  expect(fs.readFileSync(path.join(dest, LONG), 'utf8')).toBe('long');
  expect(fs.readFileSync(path.join(dest, 'top.txt'), 'utf8')).toBe('hello\n');
  expect(fs.statSync(path.join(dest, 'hard.txt')).ino).toBe(fs.statSync(path.join(dest, 'top.txt')).ino);
  expect(fs.readlinkSync(path.join(dest, 'sub', 'link'))).toBe('../top.txt');
  expect(fs.readFileSync(path.join(dest, 'sub', 'link'), 'utf8')).toBe('hello\n');
  expect(fs.statSync(path.join(dest, 'bin', 'tool')).mode & 0o7777).toBe(0o755); // setuid stripped
  expect(fs.statSync(path.join(dest, 'locked')).mode & 0o7777).toBe(0o700); // owner gets rwx
  expect(fs.readFileSync(path.join(dest, 'big.bin')).equals(BIG)).toBe(true);
}

const expected = { files: 4, directories: 5, links: 2, bytes: 6 + 10 + 4 + BIG.length };

describe('extractArchive: archives made by GNU tar', () => {
  it.each([
    ['gnu', ['--format=gnu', '-cf'], 'a.tar'],
    ['pax', ['--format=pax', '-cf'], 'a.tar'],
    ['ustar (prefix field)', ['--format=ustar', '-cf'], 'a.tar'],
    ['gnu, gzipped', ['--format=gnu', '-czf'], 'a.tar.gz'],
  ])('extracts a %s archive', async (_label, flags, name) => {
    const src = makeSource();
    const file = path.join(tmp, name);
    execFileSync('tar', [...flags, file, '-C', src, '.']);
    const counts = await extractArchive(file, target);
    expectSourceTree(target);
    expect(counts).toEqual(expected);
    expect(tree(outside)).toEqual([]);
  });

  it('creates a missing target, nested', async () => {
    const src = makeSource();
    const file = path.join(tmp, 'a.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', src, 'top.txt', 'sub']);
    const dest = path.join(tmp, 'new', 'nested', 'target');
    expect(await extractArchive(file, dest)).toEqual({ files: 1, directories: 1, links: 1, bytes: 6 });
    expect(tree(dest)).toEqual(['sub', path.join('sub', 'link'), 'top.txt']);
  });
});

describe('extractArchive: hand-made archives', () => {
  it('reads base-256 sizes and pax path records', async () => {
    const pax = (key: string, value: string) => {
      const body = ` ${key}=${value}\n`;
      let len = body.length + 1;
      if (String(len).length + body.length !== len) len = String(len + 1).length + body.length;
      return `${len}${body}`;
    };
    const longName = `p/${'q'.repeat(150)}.txt`;
    const file = writeArchive('raw.tar', rawTar([
      { name: 'b256.txt', data: 'bytes', base256: true },
      { name: 'PaxHeaders/x', type: 'x', data: pax('path', longName) },
      { name: 'ignored-short-name', data: 'pax' },
    ]));
    expect(await extractArchive(file, target)).toEqual({ files: 2, directories: 0, links: 0, bytes: 8 });
    expect(fs.readFileSync(path.join(target, 'b256.txt'), 'utf8')).toBe('bytes');
    expect(fs.readFileSync(path.join(target, longName), 'utf8')).toBe('pax');
  });

  it('replaces a symlink the archive made earlier instead of writing through it', async () => {
    const file = writeArchive('raw.tar', rawTar([
      { name: 'top.txt', data: 'original' },
      { name: 'l', type: '2', link: 'top.txt' },
      { name: 'l', data: 'new' },
    ]));
    await extractArchive(file, target);
    expect(fs.readFileSync(path.join(target, 'top.txt'), 'utf8')).toBe('original');
    expect(fs.lstatSync(path.join(target, 'l')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(target, 'l'), 'utf8')).toBe('new');
  });

  it('replaces a planted symlink or hardlink in target instead of writing through it', async () => {
    fs.writeFileSync(path.join(outside, 'victim'), 'orig');
    fs.mkdirSync(target);
    fs.symlinkSync(path.join(outside, 'victim'), path.join(target, 'viasymlink'));
    fs.linkSync(path.join(outside, 'victim'), path.join(target, 'viahardlink'));
    const file = writeArchive('raw.tar', rawTar([
      { name: 'viasymlink', data: 'pwned' },
      { name: 'viahardlink', data: 'pwned' },
    ]));
    await extractArchive(file, target);
    expect(fs.readFileSync(path.join(outside, 'victim'), 'utf8')).toBe('orig');
    expect(fs.lstatSync(path.join(target, 'viasymlink')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(target, 'viahardlink'), 'utf8')).toBe('pwned');
  });

  it('refuses to write below a symlink already in target, writing nothing', async () => {
    fs.mkdirSync(target);
    fs.symlinkSync(outside, path.join(target, 'pre'));
    const file = writeArchive('raw.tar', rawTar([{ name: 'first.txt', data: 'x' }, { name: 'pre/pwned', data: 'x' }]));
    await expect(extractArchive(file, target)).rejects.toThrow(/"pre\/pwned".*parent "pre" is a symlink/);
    expect(tree(target)).toEqual(['pre']);
    expect(tree(outside)).toEqual([]);
  });
});

describe('extractArchive: hostile archives write nothing, inside target or out', () => {
  const first: Raw[] = [{ name: 'first.txt', data: 'benign' }, { name: 'dir/', type: '5', mode: 0o755 }];
  const cases: [string, () => Raw[], RegExp][] = [
    ['absolute path', () => [{ name: path.join(outside, 'pwned'), data: 'x' }], /absolute path/],
    ['drive-letter path', () => [{ name: 'C:\\x', data: 'x' }], /absolute path/],
    ['UNC path', () => [{ name: '\\\\server\\share\\x', data: 'x' }], /absolute path/],
    ['../x', () => [{ name: '../outside/pwned', data: 'x' }], /"\.\." component/],
    ['a/../../x', () => [{ name: 'dir/../../outside/pwned', data: 'x' }], /"\.\." component/],
    ['..\\ with backslashes', () => [{ name: 'dir\\..\\..\\outside\\pwned', data: 'x' }], /"\.\." component/],
    ['symlink to /etc', () => [{ name: 'etc', type: '2', link: '/etc' }], /symlink to absolute path "\/etc"/],
    ['symlink evil -> ../.. then evil/pwn', () => [{ name: 'evil', type: '2', link: '../..' }, { name: 'evil/pwn', data: 'x' }], /escapes the target/],
    ['symlink outside then write through it', () => [{ name: 'out', type: '2', link: '../outside' }, { name: 'out/pwned', data: 'x' }], /escapes the target/],
    ['symlink climbing through another symlink', () => [{ name: 'dir/up', type: '2', link: '..' }, { name: 'dir/esc', type: '2', link: 'up/..' }], /"\.\." after a name/],
    ['file below an in-archive symlink', () => [{ name: 'ok', type: '2', link: 'dir' }, { name: 'ok/pwned', data: 'x' }], /parent "ok" is a symlink/],
    ['hardlink to /etc/passwd', () => [{ name: 'pw', type: '1', link: '/etc/passwd' }], /absolute path/],
    ['hardlink with ..', () => [{ name: 'pw', type: '1', link: '../outside/x' }], /"\.\." component/],
    ['hardlink to a file not in the archive', () => [{ name: 'h', type: '1', link: 'nothere' }], /not a file extracted/],
    ['hardlink to a symlink', () => [{ name: 's', type: '2', link: 'first.txt' }, { name: 'h', type: '1', link: 's' }], /not a file extracted/],
    ['character device', () => [{ name: 'null', type: '3' }], /type '3' is not allowed/],
    ['fifo', () => [{ name: 'fifo', type: '6' }], /type '6' is not allowed/],
    ['file replacing a directory', () => [{ name: 'dir', data: 'x' }], /would replace a directory/],
  ];

  async function expectNothingWritten(file: string, message: RegExp, type: new (...args: never[]) => Error = ArchiveRejected) {
    const before = tree(tmp);
    const err = await extractArchive(file, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect(fs.existsSync(target)).toBe(false);
    expect(tree(tmp)).toEqual(before);
    expect(tree(outside)).toEqual([]);
  }

  it.each(cases)('rejects %s', async (_label, entries, message) => {
    await expectNothingWritten(writeArchive('bad.tar', rawTar([...first, ...entries()])), message);
  });

  it('rejects a hostile entry inside a tar.gz too', async () => {
    const tar = rawTar([...first, { name: '../outside/pwned', data: 'x' }]);
    await expectNothingWritten(writeArchive('bad.tar.gz', zlib.gzipSync(tar)), /"\.\." component/);
  });

  it('rejects a later header with a bad checksum', async () => {
    const tar = rawTar([...first, { name: 'second.txt', data: 'x' }]);
    tar[1024 + 10] ^= 1; // corrupt the name of the third header
    await expectNothingWritten(writeArchive('bad.tar', tar), /header checksum mismatch/);
  });

  it('reports truncated archives', async () => {
    const cut = rawTar([...first, { name: 'big.txt', size: 1000, data: 'x'.repeat(100) }], { end: false });
    await expectNothingWritten(writeArchive('cut.tar', cut), /^archive is truncated$/, Error);
    await expectNothingWritten(writeArchive('noend.tar', rawTar(first, { end: false })), /^archive is truncated$/, Error);
    const midHeader = rawTar(first, { end: false }).subarray(0, 512 * 2 + 300);
    await expectNothingWritten(writeArchive('cut2.tar', midHeader), /^archive is truncated$/, Error);
    const gz = zlib.gzipSync(rawTar([...first, { name: 'big.txt', data: BIG.toString('base64') }]));
    await expectNothingWritten(writeArchive('cut.tar.gz', gz.subarray(0, gz.length / 2)), /^archive is truncated$/, Error);
  });

  it('explains that zip is not supported, and refuses other formats', async () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]);
    await expectNothingWritten(writeArchive('a.zip', zip), /^zip archives are not supported; package a \.tar or \.tar\.gz$/, Error);
    const text = Buffer.from('just some text, not an archive\n'.repeat(40));
    await expectNothingWritten(writeArchive('a.txt', text), /^not a tar or tar.gz archive$/, Error);
    await expectNothingWritten(writeArchive('a.txt.gz', zlib.gzipSync(text)), /^not a tar or tar.gz archive$/, Error);
    await expectNothingWritten(writeArchive('empty', Buffer.alloc(0)), /^not a tar or tar.gz archive$/, Error);
  });
});

describe('extractArchive: modes and size', () => {
  it('strips group and other write bits from files and folders', async () => {
    const file = writeArchive('w.tar', rawTar([{ name: 'open/', type: '5', mode: 0o777 }, { name: 'open/tool', data: '#!/bin/sh\n', mode: 0o777 }, { name: 'shared.txt', data: 'x', mode: 0o666 }]));
    await extractArchive(file, target);
    expect(fs.statSync(path.join(target, 'open')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(target, 'open', 'tool')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(target, 'shared.txt')).mode & 0o7777).toBe(0o644);
  });

  it('refuses, writing nothing, an archive that extracts to more than 4 times its size', async () => {
    // 8 MiB of zeros gzip to a few KiB.
    const tar = rawTar([{ name: 'first.txt', data: 'fine' }, { name: 'bomb.bin', data: '\0'.repeat(8 * 1024 * 1024) }]);
    const file = writeArchive('bomb.tar.gz', zlib.gzipSync(tar));
    await expect(extractArchive(file, target)).rejects.toThrow(new ArchiveRejected('bomb.bin', `the archive would extract to more than ${4 * fs.statSync(file).size} bytes`));
    expect(tree(target)).toEqual([]);
    // A limit given by the caller.
    await expect(extractArchive(file, target, { maxBytes: 9 * 1024 * 1024 })).resolves.toMatchObject({ files: 2 });
  });
});
