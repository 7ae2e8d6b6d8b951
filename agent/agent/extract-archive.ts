import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * Safe extraction of package archives (.tar, .tar.gz) for an agent that runs as root.
 *
 * Two passes over the stream: the first reads only headers and checks every rule, against what the archive
 * would have made so far and against what is already on disk; the second checks again and writes. So a bad
 * entry anywhere means nothing at all is written. Assumes nobody else writes into `target` meanwhile (Node has
 * no openat(), so a concurrent attacker there could still race the lstat checks).
 */

export class ArchiveRejected extends Error {
  constructor(entry: string, rule: string) {
    super(`archive entry "${entry}" rejected: ${rule}`);
    this.name = 'ArchiveRejected';
  }
}

export type ExtractCounts = { files: number; directories: number; links: number; bytes: number };
type Entry = { name: string; link: string; type: string; size: number; mode: number };
type Kind = 'none' | 'dir' | 'file' | 'symlink' | 'other';

const fsp = fs.promises;
const C = fs.constants;
const META_MAX = 1 << 20; // pax and GNU long-name records are buffered: cap them so they cannot exhaust memory
const truncated = () => new Error('archive is truncated');
const notTar = () => new Error('not a tar or tar.gz archive');
const pad = (size: number) => (512 - (size % 512)) % 512;

/** Pulls exact byte counts out of a chunk stream without ever holding more than one chunk. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  pos = 0;
  constructor(private chunks: AsyncIterator<Buffer>) {}
  async eof(): Promise<boolean> {
    while (!this.buf.length) {
      const next = await this.chunks.next().catch((e) => Promise.reject(e.code === 'Z_BUF_ERROR' ? truncated() : e));
      if (next.done) return true;
      this.buf = next.value;
    }
    return false;
  }
  /** Hands the next n bytes to sink piece by piece (or drops them); the stream ending first means truncation. */
  async take(n: number, sink?: (piece: Buffer) => Promise<void>): Promise<void> {
    while (n > 0) {
      if (await this.eof()) throw truncated();
      const piece = this.buf.subarray(0, Math.min(n, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      this.pos += piece.length;
      n -= piece.length;
      if (sink) await sink(piece);
    }
  }
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    await this.take(n, async (p) => void parts.push(p));
    return Buffer.concat(parts);
  }
}

/** A string field, ending at its first NUL or at the field's end. */
const cstr = (b: Buffer, from = 0, to = b.length, nul = b.indexOf(0, from)) =>
  b.toString('utf8', from, nul >= 0 && nul < to ? nul : to);

/** A numeric header field: octal text, or GNU base-256 (top bit set) for values that do not fit. */
function num(f: Buffer, what: string): number {
  if (f[0] & 0x80) {
    if (f[0] & 0x40) throw new ArchiveRejected(what, 'negative numeric field');
    let n = f[0] & 0x3f;
    for (const b of f.subarray(1)) n = n * 256 + b;
    if (!Number.isSafeInteger(n)) throw new ArchiveRejected(what, 'numeric field too large');
    return n;
  }
  const s = f.toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]*$/.test(s)) throw new ArchiveRejected(what, 'malformed numeric field');
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 8 * 0x20; // the checksum field itself counts as spaces
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += h[i];
  const s = h.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(s) && parseInt(s, 8) === sum;
}

/** pax records: "<len> <key>=<value>\n", len counting the whole record. */
function pax(data: Buffer, into: Record<string, string>, what: string): void {
  for (let i = 0; i < data.length; ) {
    const sp = data.indexOf(0x20, i);
    const len = Number(data.toString('latin1', i, sp));
    const rec = sp > i && len > sp - i && i + len <= data.length ? data.toString('utf8', sp + 1, i + len - 1) : '';
    const eq = rec.indexOf('=');
    if (eq < 1) throw new ArchiveRejected(what, 'malformed pax header');
    into[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
}

/** The archive's entries with pax/GNU metadata applied. After each yield the unread data is skipped. */
async function* entries(file: string): AsyncGenerator<[Entry, Reader]> {
  const magic = Buffer.alloc(4);
  const fh = await fsp.open(file, 'r');
  await fh.read(magic, 0, 4, 0).finally(() => fh.close());
  if (magic.toString('latin1', 0, 2) === 'PK' && [3, 5, 7].includes(magic[2]) && magic[3] === magic[2] + 1) {
    throw new Error('zip archives are not supported; package a .tar or .tar.gz');
  }
  const src = fs.createReadStream(file);
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const stream = gzip ? src.pipe(zlib.createGunzip()) : src;
  if (gzip) src.on('error', (e) => stream.destroy(e));
  const r = new Reader(stream[Symbol.asyncIterator]());
  try {
    let meta: Record<string, string> = {};
    for (let first = true; ; first = false) {
      // Ending without the end-of-archive marker counts as truncated too: a download cut at a header boundary.
      if (await r.eof()) throw first ? notTar() : truncated();
      const at = `header at byte ${r.pos}`;
      const h = await r.read(512).catch((e) => Promise.reject(first ? notTar() : e));
      if (h.every((b) => b === 0)) return; // end-of-archive marker
      if (!checksumOk(h)) throw first ? notTar() : new ArchiveRejected(at, 'header checksum mismatch');
      let type = String.fromCharCode(h[156]);
      if ('xgLK'.includes(type)) {
        const size = num(h.subarray(124, 136), at);
        if (size > META_MAX) throw new ArchiveRejected(at, `'${type}' metadata record larger than ${META_MAX} bytes`);
        const data = await r.read(size);
        await r.take(pad(size));
        if (type === 'x') pax(data, meta, at); // 'g' (global pax) is ignored
        if (type === 'L') meta.path = cstr(data);
        if (type === 'K') meta.linkpath = cstr(data);
        continue;
      }
      const prefix = h.toString('latin1', 257, 263) === 'ustar\0' ? cstr(h, 345, 500) : '';
      const name = meta.path ?? (prefix ? `${prefix}/` : '') + cstr(h, 0, 100);
      if (Object.keys(meta).some((k) => k.startsWith('GNU.sparse'))) throw new ArchiveRejected(name, 'sparse files are not supported');
      if (meta.size !== undefined && !/^\d+$/.test(meta.size)) throw new ArchiveRejected(name, 'malformed pax size');
      const size = meta.size !== undefined ? Number(meta.size) : num(h.subarray(124, 136), name);
      if (!Number.isSafeInteger(size)) throw new ArchiveRejected(name, 'size too large');
      if ((type === '0' || type === '\0') && name.endsWith('/')) type = '5'; // old tars mark directories by the slash
      const end = r.pos + size + pad(size);
      yield [{ name, type, size, link: meta.linkpath ?? cstr(h, 157, 257), mode: num(h.subarray(100, 108), name) }, r];
      await r.take(end - r.pos);
      meta = {};
    }
  } finally {
    src.destroy();
    stream.destroy();
  }
}

/** An entry or hardlink name → path components under target. */
function components(name: string, what: string): string[] {
  if (name.includes('\0')) throw new ArchiveRejected(what, 'NUL byte in path');
  // Absolute names (/etc/passwd, C:\x, \\server\x) would be written wherever they point: refused.
  if (/^([\\/]|[A-Za-z]:)/.test(name)) throw new ArchiveRejected(what, `absolute path "${name}"`);
  const comps = name.split(/[\\/]/).filter((c) => c !== '' && c !== '.');
  // `..` climbs out of target; backslashes count as separators so a Windows-made `..\x` is caught too.
  if (comps.includes('..')) throw new ArchiveRejected(what, `".." component in "${name}"`);
  if (comps.some((c) => Buffer.byteLength(c) > 255)) throw new ArchiveRejected(what, 'path component longer than 255 bytes');
  return comps;
}

/**
 * A symlink must point inside target. Lexical resolution matches what the kernel does only while every name
 * walked through is a real directory, so the link may be some `../` steps up from its own directory (whose
 * parents are checked to be real directories) followed by plain names: `..` after a name could climb out
 * through another symlink (`up -> ..`, `esc -> up/..`), and absolute targets always leave.
 */
function checkSymlink(link: string, comps: string[], what: string): void {
  if (!link || link.includes('\0')) throw new ArchiveRejected(what, 'empty symlink target');
  if (/^([\\/]|[A-Za-z]:)/.test(link)) throw new ArchiveRejected(what, `symlink to absolute path "${link}"`);
  if (link.includes('\\')) throw new ArchiveRejected(what, `backslash in symlink target "${link}"`);
  const parts = link.split('/').filter((c) => c !== '' && c !== '.');
  let ups = 0; // leading `..` steps
  while (parts[ups] === '..') ups++;
  if (parts.slice(ups).includes('..')) throw new ArchiveRejected(what, `symlink target "${link}" has ".." after a name`);
  if (ups > comps.length - 1) throw new ArchiveRejected(what, `symlink target "${link}" escapes the target directory`);
}

/** What is at p, by lstat: a symlink is reported as such, never followed. */
const diskKind = (p: string): Promise<Kind> =>
  fsp.lstat(p).then(
    (s) => (s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'),
    (e) => (e.code === 'ENOENT' ? 'none' : Promise.reject(e)),
  );

/** One pass: `write` false only checks (against a model of the disk), true checks against the disk and writes. */
async function pass(file: string, target: string, write: boolean, maxBytes: number): Promise<ExtractCounts> {
  const counts: ExtractCounts = { files: 0, directories: 0, links: 0, bytes: 0 };
  const model = new Map<string, Kind>(); // first pass: what the disk would look like by now
  const extracted = new Set<string>(); // regular files written by this archive: the only hardlink sources
  const kind = async (rel: string) => {
    if (write) return diskKind(path.join(target, rel));
    if (!model.has(rel)) model.set(rel, await diskKind(path.join(target, rel)));
    return model.get(rel)!;
  };
  const made = (rel: string, k: Kind) => {
    if (!write) model.set(rel, k);
    extracted[k === 'file' ? 'add' : 'delete'](rel);
  };

  for await (const [e, r] of entries(file)) {
    const comps = components(e.name, e.name);
    const rel = comps.join('/');
    const dest = path.join(target, rel);
    // Only files, directories and links: device nodes, fifos and the like are never created.
    if (!['0', '\0', '5', '2', '1'].includes(e.type)) throw new ArchiveRejected(e.name, `entry type '${e.type.replace('\0', '\\0')}' is not allowed`);
    if (!comps.length && e.type === '5') continue; // "./": target itself
    if (!comps.length) throw new ArchiveRejected(e.name, 'empty path');
    if (Buffer.byteLength(dest) >= 4096) throw new ArchiveRejected(e.name, 'path too long');
    if (e.type === '2') checkSymlink(e.link, comps, e.name);
    const source = e.type === '1' ? components(e.link, e.name).join('/') : '';
    // A hardlink may only share an inode this archive created, never e.g. /etc/shadow or a file already in target.
    if (e.type === '1' && (source === rel || !extracted.has(source) || (await kind(source)) !== 'file')) {
      throw new ArchiveRejected(e.name, `hardlink target "${e.link}" is not a file extracted from this archive`);
    }
    // Parents are checked one by one with lstat: a symlink among them (made by an earlier entry or already in
    // target) would redirect the write outside target, so it is refused, never followed.
    for (let i = 1; i < comps.length; i++) {
      const parent = comps.slice(0, i).join('/');
      const k = await kind(parent);
      if (k === 'none' && write) await fsp.mkdir(path.join(target, parent), 0o755);
      if (k === 'none') made(parent, 'dir');
      else if (k !== 'dir') throw new ArchiveRejected(e.name, `parent "${parent}" is ${k === 'symlink' ? 'a symlink' : 'not a directory'}`);
    }
    const existing = await kind(rel);
    if (e.type === '5') {
      if (write && existing !== 'dir') {
        if (existing !== 'none') await fsp.unlink(dest); // a symlink here is removed, not followed
        await fsp.mkdir(dest, 0o700);
      }
      // No setgid/sticky, no write for group or others (a root-owned folder anyone could change);
      // the owner can always enter.
      if (write) await fsp.chmod(dest, (e.mode & 0o755) | 0o700);
      made(rel, 'dir');
      counts.directories++;
      continue;
    }
    // A directory is never replaced (it may hold what earlier entries or links rely on); anything else at the
    // path (a planted symlink, a hardlink to some other inode) is unlinked, so it is never written through.
    if (existing === 'dir') throw new ArchiveRejected(e.name, 'would replace a directory');
    if (write && existing !== 'none') await fsp.unlink(dest);
    if (e.type === '0' || e.type === '\0') {
      // Sizes come from the headers and exactly that many bytes are written, so the first pass
      // refuses an archive that would fill the disk before anything is written.
      if (counts.bytes + e.size > maxBytes) throw new ArchiveRejected(e.name, `the archive would extract to more than ${maxBytes} bytes`);
      if (write) {
        // O_EXCL|O_NOFOLLOW: if something reappeared at the path since the unlink, fail instead of following it.
        const out = await fsp.open(dest, C.O_WRONLY | C.O_CREAT | C.O_EXCL | (C.O_NOFOLLOW ?? 0), 0o600);
        await r
          .take(e.size, async (b) => {
            for (let o = 0; o < b.length; ) o += (await out.write(b, o)).bytesWritten;
          })
          // setuid/setgid/sticky and group/other write stripped: no setuid-root binaries planted,
          // nothing root runs that any local user could rewrite.
          .then(() => out.chmod(e.mode & 0o755))
          .finally(() => out.close());
      }
      made(rel, 'file');
      counts.files++;
      counts.bytes += e.size;
    } else {
      if (write && e.type === '2') await fsp.symlink(e.link, dest);
      if (write && e.type === '1') await fsp.link(path.join(target, source), dest); // link() does not follow symlinks
      made(rel, e.type === '1' ? 'file' : 'symlink');
      counts.links++;
    }
  }
  return counts;
}

/** The extracted size allowed by default: this many times the archive's own size. */
export const DEFAULT_EXTRACT_RATIO = 4;

/**
 * Extracts a .tar or .tar.gz into target (created if missing). Throws ArchiveRejected, with
 * nothing written, on a hostile entry or when its files add up to more than maxBytes (default
 * DEFAULT_EXTRACT_RATIO times the archive's size: a small gzip bomb must not fill the disk).
 */
export async function extractArchive(file: string, target: string, options: { maxBytes?: number } = {}): Promise<ExtractCounts> {
  const root = path.resolve(target);
  const maxBytes = options.maxBytes ?? DEFAULT_EXTRACT_RATIO * (await fsp.stat(file)).size;
  await pass(file, root, false, maxBytes);
  await fsp.mkdir(root, { recursive: true });
  return pass(file, root, true, maxBytes);
}
