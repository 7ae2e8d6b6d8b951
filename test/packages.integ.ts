import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens, contentBlobs, packages } from '@/db/schema';
import { demoAdmin } from './helpers/demo';
import { depotPack } from './helpers/depot-pack';
import { api, mustSignIn, type Session } from './helpers/http';
import { manifestFor, seedCabinet, seedPackage, sha256, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';
import { waitFor } from './helpers/wait-for';

let server: TestServer;
let admin: Session;
let token: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-pack-'));
const MAX = 2 * 1024 * 1024;

beforeAll(async () => {
  server = await startServer({ env: { DEPOT_MAX_PACKAGE_SIZE: '2MiB' } });
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  token = (await api<{ token: { token: string } }>(server.url, '/api/tokens', { method: 'POST', session: admin, json: { name: 'ci', role: 'deployer' } })).body.token.token;
  await seedCabinet(server.url, admin, 'apps', 'Line-of-business apps');
});
afterAll(async () => {
  await server?.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

const blobPath = (sha: string) => path.join(server.dataDir, 'blobs', sha.slice(0, 2), sha);
const tempFiles = () => fs.readdirSync(path.join(server.dataDir, 'blobs', 'tmp')).filter((f) => f.endsWith('.part'));
async function apiWithToken<T = any>(p: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${server.url}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.json ? { 'content-type': 'application/json' } : {}) },
    body: init.json ? JSON.stringify(init.json) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

describe('depot-pack', () => {
  it('registers a package with flags, showing progress, and lists it', async () => {
    const file = path.join(work, 'hello.sh');
    const content = crypto.randomBytes(1_500_000);
    fs.writeFileSync(file, content);
    const env = { DEPOT_TOKEN: token };
    const up = await depotPack(['--server', server.url, '--cabinet', 'apps', '--id', 'hello', '--version', '1.0', '--installer', 'script', '--name', 'Hello', file], env);
    expect(up.stderr).toMatch(/Uploading hello\.sh +100%/);
    expect(up.status).toBe(0);
    expect(up.stdout).toContain(`Registered apps/hello 1.0 generation 1 (1.4 MiB, sha256 ${sha256(content)})`);

    const again = await depotPack(['--server', server.url, '--cabinet', 'apps', '--id', 'hello', '--version', '1.0', '--installer', 'script', '--json', file], env);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ packageId: 'hello', version: '1.0', generation: 2, sha256: sha256(content) });

    const list = await depotPack(['list', '--server', server.url, '--cabinet', 'apps', '--json'], env);
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).filter((p: { packageId: string }) => p.packageId === 'hello').map((p: { generation: number }) => p.generation).sort()).toEqual([1, 2]);
    // Identical content is stored once.
    expect(fs.readdirSync(path.dirname(blobPath(sha256(content))))).toEqual([sha256(content)]);
  });

  it('reads a manifest file, and exits non-zero with the server’s message on a refusal', async () => {
    const file = path.join(work, 'tool.deb');
    fs.writeFileSync(file, 'not really a deb');
    const manifest = path.join(work, 'depot.json');
    fs.writeFileSync(manifest, JSON.stringify({ packageId: 'tool', displayName: 'Tool', version: '2.0', generation: 7, installer: { kind: 'deb' } }));
    const env = { DEPOT_TOKEN: token };
    expect((await depotPack(['--server', server.url, '--cabinet', 'apps', '--manifest', manifest, file], env)).status).toBe(0);
    const dup = await depotPack(['--server', server.url, '--cabinet', 'apps', '--manifest', manifest, file], env);
    expect(dup.status, dup.stderr).toBe(1);
    expect(dup.stderr).toContain('refused by the server: generation: apps/tool 2.0 generation 7 already exists');
    const noCabinet = await depotPack(['--server', server.url, '--cabinet', 'nope', '--manifest', manifest, file], env);
    expect(noCabinet.status, noCabinet.stderr).toBe(1);
    expect(noCabinet.stderr).toContain('cabinet: no cabinet named "nope"');
    const badToken = await depotPack(['--server', server.url, '--cabinet', 'apps', '--manifest', manifest, file], { DEPOT_TOKEN: 'dpt_wrongwrongwrongwrongwrongwrong' });
    expect(badToken.status, badToken.stderr).toBe(1);
    expect(badToken.stderr).toContain('refused the token (401)');
    const tooBig = path.join(work, 'big.bin');
    fs.writeFileSync(tooBig, Buffer.alloc(MAX + 1024 * 1024));
    const big = await depotPack(['--server', server.url, '--cabinet', 'apps', '--id', 'big', '--version', '1', '--installer', 'script', tooBig], env);
    expect(big.status, big.stderr).toBe(1);
    expect(big.stderr).toContain('file: expected at most 2.0 MiB');
  });

  it('checks the manifest locally and names the flag to fix', async () => {
    const file = path.join(work, 'x.sh');
    fs.writeFileSync(file, 'echo');
    const r = await depotPack(['--server', server.url, '--cabinet', 'apps', '--id', '../etc', '--version', '1', '--installer', 'script', file], { DEPOT_TOKEN: token });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('packageId: expected 1-64 letters, digits, dots, underscores or hyphens (set it with --id)');
    const noServer = await depotPack(['--cabinet', 'apps', '--id', 'x', '--version', '1', '--installer', 'script', file], { DEPOT_TOKEN: token, DEPOT_SERVER: '' });
    expect(noServer.status).toBe(2);
    expect(noServer.stderr).toContain('--server: expected the Depot server URL');
  });

  it('deletes a package', async () => {
    const pkg = await seedPackage(server.url, admin, 'apps', 'doomed', 'doomed content');
    const r = await depotPack(['delete', '--server', server.url, pkg.id], { DEPOT_TOKEN: token });
    expect(r.status).toBe(0);
    expect((await api(server.url, `/api/packages/${pkg.id}`, { session: admin })).status).toBe(404);
    expect(fs.existsSync(blobPath(pkg.sha256))).toBe(false);
  });
});

describe('raw uploads (what depot-pack sends)', () => {
  function rawUpload(manifest: unknown, chunks: Buffer[], headers: Record<string, string> = {}, trailer?: string, cutAfter?: number) {
    return new Promise<{ status: number; body: { error?: { field?: string; message?: string }; package?: { sha256: string } } } | 'cut'>((resolve, reject) => {
      const req = http.request(`${server.url}/api/cabinets/apps/packages`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'x-depot-manifest': Buffer.from(JSON.stringify(manifest)).toString('base64url'),
          ...(trailer ? { trailer: 'X-Depot-Sha256' } : {}),
          ...headers,
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', (e) => (cutAfter !== undefined ? resolve('cut') : reject(e)));
      chunks.forEach((c, i) => {
        req.write(c);
        if (cutAfter === i) setTimeout(() => req.destroy(), 200);
      });
      if (cutAfter === undefined) {
        if (trailer) req.addTrailers({ 'X-Depot-Sha256': trailer });
        req.end();
      }
    });
  }

  it('checks the SHA-256 trailer against what arrived', async () => {
    const data = Buffer.from('raw content');
    const good = await rawUpload(manifestFor('raw-ok'), [data], {}, sha256(data));
    expect(good).toMatchObject({ status: 201, body: { package: { sha256: sha256(data) } } });
    const bad = await rawUpload(manifestFor('raw-bad'), [Buffer.from('changed on the way')], {}, sha256(data));
    expect(bad).toMatchObject({ status: 422, body: { error: { field: 'sha256' } } });
    expect(fs.existsSync(blobPath(sha256('changed on the way')))).toBe(false);
  });

  it('refuses a size other than the declared one, and a manifest header that is not base64url JSON', async () => {
    const short = await rawUpload(manifestFor('raw-short'), [Buffer.from('12345')], { 'x-depot-content-length': '10' });
    expect(short).toMatchObject({ status: 422, body: { error: { field: 'file' } } });
    const garbled = await rawUpload(null, [Buffer.from('x')], { 'x-depot-manifest': '%%%not-base64%%%' });
    expect(garbled).toMatchObject({ status: 400, body: { error: { field: 'manifest' } } });
  });

  it('leaves no temp file when cut off half-way', async () => {
    const result = await rawUpload(manifestFor('raw-cut'), [Buffer.alloc(200_000, 1), Buffer.alloc(200_000, 2)], { 'x-depot-content-length': '1000000' }, undefined, 1);
    expect(result).toBe('cut');
    await waitFor(() => tempFiles().length === 0);
  });

  it('depot-pack falls back to multipart for a manifest too large for a header', async () => {
    const file = path.join(work, 'large-manifest.sh');
    fs.writeFileSync(file, 'echo large');
    const manifest = path.join(work, 'large.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        packageId: 'large-manifest',
        displayName: 'Large manifest',
        version: '1',
        description: 'd'.repeat(4000),
        installer: { kind: 'script' },
        conditions: { requires: Array.from({ length: 32 }, (_, i) => ({ name: `dependency-${i}-${'x'.repeat(150)}` })) },
      }),
    );
    const r = await depotPack(['--server', server.url, '--cabinet', 'apps', '--manifest', manifest, '--json', file], { DEPOT_TOKEN: token });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ packageId: 'large-manifest', sha256: sha256('echo large') });
  });
});

describe('content download', () => {
  it('returns the right bytes with and without Range, with a strong ETag', async () => {
    const content = crypto.randomBytes(100_000);
    const pkg = await seedPackage(server.url, admin, 'apps', 'ranged', content as unknown as string);
    const url = `${server.url}/api/packages/${pkg.id}/content`;
    const auth = { authorization: `Bearer ${token}` };
    const whole = await fetch(url, { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('etag')).toBe(`"${sha256(content)}"`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(content)).toBe(true);

    const part = await fetch(url, { headers: { ...auth, range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 1000-1999/100000');
    expect(Buffer.from(await part.arrayBuffer()).equals(content.subarray(1000, 2000))).toBe(true);

    const rest = await fetch(url, { headers: { ...auth, range: 'bytes=99990-' } });
    expect(Buffer.from(await rest.arrayBuffer()).equals(content.subarray(99990))).toBe(true);
    expect((await fetch(url, { headers: { ...auth, range: 'bytes=100000-' } })).status).toBe(416);
    expect((await fetch(url, { headers: { ...auth, 'if-none-match': `"${sha256(content)}"` } })).status).toBe(304);
    expect((await fetch(url)).status).toBe(401);
  });
});

describe('refusals leave nothing behind', () => {
  it('a wrong manifest field → 422 naming it; unknown cabinet → 404; duplicate → 409 naming the existing one', async () => {
    const bad = await uploadPackage(server.url, admin, 'apps', { ...manifestFor('bad'), installer: { kind: 'script', install: 'sh -c "rm -rf /"' } }, 'x');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'installer.install' });
    const cabinet = await uploadPackage(server.url, admin, 'no-such-cabinet', manifestFor('x'), 'x');
    expect({ status: cabinet.status, code: cabinet.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
    const first = await uploadPackage(server.url, admin, 'apps', manifestFor('dup', { generation: 1 }), 'one');
    expect(first.status).toBe(201);
    const dup = await uploadPackage(server.url, admin, 'apps', manifestFor('dup', { generation: 1 }), 'two');
    expect(dup.status).toBe(409);
    expect(dup.body.error?.message).toContain(`apps/dup 1.0.0 generation 1 already exists (package ${first.body.package!.id})`);
    expect(fs.existsSync(blobPath(sha256('two')))).toBe(false);
    const traversal = await uploadPackage(server.url, admin, 'apps', manifestFor('../../etc'), 'x');
    expect({ status: traversal.status, field: traversal.body.error?.field }).toEqual({ status: 422, field: 'packageId' });
    const shell = await uploadPackage(server.url, admin, 'apps', manifestFor('a;reboot'), 'x');
    expect({ status: shell.status, field: shell.body.error?.field }).toEqual({ status: 422, field: 'packageId' });
    const notJson = await uploadPackage(server.url, admin, 'apps', null, 'x', { manifestRaw: '{"packageId":' });
    expect({ status: notJson.status, field: notJson.body.error?.field }).toEqual({ status: 400, field: 'manifest' });
  });

  it('a SHA-256 that does not match the declared one → 422, no package, no content', async () => {
    const res = await uploadPackage(server.url, admin, 'apps', manifestFor('tampered'), 'what arrived', { sha256: sha256('what was sent') });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ field: 'sha256' });
    expect(res.body.error?.message).toContain(`hashes to ${sha256('what arrived')}`);
    expect(fs.existsSync(blobPath(sha256('what arrived')))).toBe(false);
    expect(tempFiles()).toEqual([]);
  });

  it('over the size limit → 413 before the rest is read', async () => {
    const declared = 500 * 1024 * 1024;
    const started = Date.now();
    const { status, body, sent } = await new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
      const req = http.request(`${server.url}/api/cabinets/apps/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': declared },
      });
      let sent = 0;
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, sent }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (sent < 4 * 1024 * 1024 && req.write(chunk)) sent += chunk.length;
      };
      req.on('drain', pump);
      pump();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error).toMatchObject({ code: 'payload_too_large', field: 'file' });
    expect(sent).toBeLessThan(declared / 10);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an upload cut off half-way leaves no package and no content file', async () => {
    const boundary = 'cutcutcut';
    const manifest = JSON.stringify(manifestFor('cutoff'));
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n${manifest}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.sh"\r\n\r\n`;
    await new Promise<void>((resolve) => {
      const req = http.request(`${server.url}/api/cabinets/apps/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + 1_000_000 },
      });
      req.on('error', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(300_000, 7), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 200));
    });
    // The server notices the cut and cleans up on its own time.
    await waitFor(() => tempFiles().length === 0);
    const list = await apiWithToken<{ packages: unknown[] }>('/api/packages?q=cutoff');
    expect(list.body.packages).toEqual([]);
  });
});

describe('packages never change identity', () => {
  it('refuses a rename or a move, allows the editable fields, and audits them', async () => {
    const pkg = await seedPackage(server.url, admin, 'apps', 'fixed');
    await seedCabinet(server.url, admin, 'other');
    for (const [field, value, hint] of [
      ['packageId', 'renamed', 'never renamed'],
      ['cabinet', 'other', 'never moves to another cabinet'],
      ['version', '9.9', 'register a new generation'],
      ['installer', { kind: 'deb' }, 'register a new generation'],
    ] as const) {
      const res = await api<{ error: { field: string; message: string } }>(server.url, `/api/packages/${pkg.id}`, { method: 'PATCH', session: admin, json: { [field]: value } });
      expect(res.status).toBe(422);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toContain(hint);
    }
    const ok = await api<{ package: { description: string; category: string; selfService: boolean } }>(server.url, `/api/packages/${pkg.id}`, {
      method: 'PATCH',
      session: admin,
      json: { description: 'Now documented', category: 'Tools', selfService: true },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.package).toMatchObject({ description: 'Now documented', category: 'Tools', selfService: true });
  });
});

describe('cabinets', () => {
  it('lists package count and total size; deletes an empty one at once and a full one only when confirmed', async () => {
    await seedCabinet(server.url, admin, 'full');
    const a = await seedPackage(server.url, admin, 'full', 'a', 'aaaa');
    const b = await seedPackage(server.url, admin, 'full', 'b', 'shared bytes');
    const c = await seedPackage(server.url, admin, 'apps', 'c', 'shared bytes'); // same content in another cabinet
    const list = await api<{ cabinets: { name: string; packageCount: number; totalBytes: number }[] }>(server.url, '/api/cabinets', { session: admin });
    expect(list.body.cabinets.find((x) => x.name === 'full')).toMatchObject({ packageCount: 2, totalBytes: 4 + 12 });

    const refused = await api<{ error: { code: string; field: string; message: string } }>(server.url, '/api/cabinets/full', { method: 'DELETE', session: admin });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('holds 2 packages (a 1.0.0 (generation 1), b 1.0.0 (generation 1))');
    expect((await api(server.url, '/api/cabinets/full?confirm=full', { method: 'DELETE', session: admin })).status).toBe(200);
    expect(fs.existsSync(blobPath(a.sha256))).toBe(false);
    expect(fs.existsSync(blobPath(b.sha256))).toBe(true); // still used by c
    expect((await api(server.url, `/api/packages/${c.id}`, { session: admin })).status).toBe(200);

    await seedCabinet(server.url, admin, 'empty');
    expect((await api(server.url, '/api/cabinets/empty', { method: 'DELETE', session: admin })).status).toBe(200);
    const dupName = await api<{ error: { field: string } }>(server.url, '/api/cabinets', { method: 'POST', session: admin, json: { name: 'apps' } });
    expect({ status: dupName.status, field: dupName.body.error.field }).toEqual({ status: 409, field: 'name' });
  });
});

describe('concurrency and edge cases found in review', () => {
  it('numbers the generations of simultaneous uploads of one package one after the other', async () => {
    const results = await Promise.all(
      ['one', 'two', 'three'].map((c) => uploadPackage(server.url, admin, 'apps', manifestFor('simultaneous'), `content ${c}`)),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(results.map((r) => r.body.package!.generation).sort()).toEqual([1, 2, 3]);
  });

  it('leaves no temp file when a bad sha256 field comes before the file', async () => {
    const form = new FormData();
    form.append('manifest', JSON.stringify(manifestFor('bad-sha-first')));
    form.append('sha256', 'not-a-hash');
    form.append('file', new Blob([new Uint8Array(Buffer.alloc(300_000, 3))]), 'x.sh');
    const res = await fetch(`${server.url}/api/cabinets/apps/packages`, { method: 'POST', body: form, headers: { cookie: admin.cookie, origin: server.url } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('sha256');
    await waitFor(() => tempFiles().length === 0);
  });

  it('matches a weak If-None-Match and answers a malformed escape with 400 naming the path', async () => {
    const pkg = await seedPackage(server.url, admin, 'apps', 'weak-etag', 'weak etag content');
    const res = await fetch(`${server.url}/api/packages/${pkg.id}/content`, { headers: { cookie: admin.cookie, 'if-none-match': `W/"${pkg.sha256}"` } });
    expect(res.status).toBe(304);
    // Refused where the request enters, before any route reads it (issue 14): a 4xx naming the path.
    const bad = await fetch(`${server.url}/api/packages/%E0/content`, { headers: { cookie: admin.cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('path');
  });

  it('stops an admin’s tokens when the admin is demoted', async () => {
    const created = await api<{ user: { id: string } }>(server.url, '/api/users', { method: 'POST', session: admin, json: { email: 'alice@depot.test', name: 'Alice', role: 'admin', password: 'alice-admin-password' } });
    const alice = await mustSignIn(server.url, 'alice@depot.test', 'alice-admin-password');
    const aliceToken = (await api<{ token: { token: string } }>(server.url, '/api/tokens', { method: 'POST', session: alice, json: { name: 'alice', role: 'admin' } })).body.token.token;
    const use = () => fetch(`${server.url}/api/tokens`, { headers: { authorization: `Bearer ${aliceToken}` } });
    expect((await use()).status).toBe(200);
    await api(server.url, `/api/users/${created.body.user.id}`, { method: 'PATCH', session: admin, json: { role: 'user' } });
    expect((await use()).status).toBe(401);
  });
});

describe('API tokens', () => {
  it('are stored hashed, limited to their role, and stop working when revoked', async () => {
    const created = await api<{ token: { id: string; token: string; prefix: string } }>(server.url, '/api/tokens', { method: 'POST', session: admin, json: { name: 'reader', role: 'auditor' } });
    expect(created.status).toBe(201);
    const t = created.body.token.token;
    expect(t).toMatch(/^dpt_/);
    const use = (p: string, method = 'GET') => fetch(`${server.url}${p}`, { method, headers: { authorization: `Bearer ${t}` } });
    expect((await use('/api/cabinets')).status).toBe(200);
    expect((await use('/api/tokens')).status).toBe(403);
    expect((await use('/api/cabinets/apps', 'DELETE')).status).toBe(403);
    const listed = await api<{ tokens: { id: string; prefix: string }[] }>(server.url, '/api/tokens', { session: admin });
    expect(JSON.stringify(listed.body)).not.toContain(t);
    expect((await api(server.url, `/api/tokens/${created.body.token.id}`, { method: 'DELETE', session: admin })).status).toBe(204);
    expect((await use('/api/cabinets')).status).toBe(401);
  });
});

describe('start-up', () => {
  it('removes content files that no row references (an interrupted deletion)', async () => {
    const orphan = sha256('left behind by a crash');
    fs.mkdirSync(path.dirname(blobPath(orphan)), { recursive: true });
    fs.writeFileSync(blobPath(orphan), 'left behind by a crash');
    await server.stop();
    await server.restart();
    await waitFor(() => !fs.existsSync(blobPath(orphan)));
    // The line is printed after the file is gone, by another process: wait for it too.
    await waitFor(() => server.output().includes('removed 1 content file(s) no package used'));
  });
});

describe('rows', () => {
  it('match what the API said, with content rows only for content in use', async () => {
    await server.stop();
    const { blobs, pkgs, tokens } = await server.inspect(async (db) => ({
      blobs: await db.select().from(contentBlobs),
      pkgs: await db.select().from(packages),
      tokens: await db.select().from(apiTokens),
    }));
    await server.restart();
    const used = new Set(pkgs.map((p) => p.contentSha256));
    expect(new Set(blobs.map((b) => b.sha256))).toEqual(used);
    for (const b of blobs) expect(fs.statSync(blobPath(b.sha256)).size).toBe(b.size);
    // Every file in the store belongs to a row.
    const onDisk = fs.readdirSync(path.join(server.dataDir, 'blobs')).filter((d) => /^[0-9a-f]{2}$/.test(d)).flatMap((d) => fs.readdirSync(path.join(server.dataDir, 'blobs', d)));
    expect(new Set(onDisk)).toEqual(used);
    const hello = pkgs.filter((p) => p.packageId === 'hello');
    expect(hello.map((p) => p.generation).sort()).toEqual([1, 2]);
    expect(hello[0].manifest).toMatchObject({ packageId: 'hello', installer: { kind: 'script', install: ['{file}'] } });
    expect(tokens.every((tk) => /^[0-9a-f]{64}$/.test(tk.tokenHash) && !tk.tokenHash.startsWith('dpt_'))).toBe(true);
    expect(tokens.find((tk) => tk.name === 'reader')?.revokedAt).toBeInstanceOf(Date);
  });
});
