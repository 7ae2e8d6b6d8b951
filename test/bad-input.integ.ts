/**
 * Bad input that answered 5xx before issue 14, each now a 4xx naming the field or the part of
 * the request at fault, against a real server.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, testFacts, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { manifestFor, seedCabinet, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';
import { waitFor } from './helpers/wait-for';

let server: TestServer;
let admin: Session;
let secret: string;
let machine: EnrolledMachine;

beforeAll(async () => {
  server = await startServer({ env: { DEPOT_LOG_LEVEL: 'debug' } });
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  await seedCabinet(server.url, admin, 'bad-input');
  secret = await createSecret(server.url, admin, 'bad-input');
  machine = await enrollTestMachine(server.url, secret, 'bad-input-host');
});
afterAll(async () => {
  await server?.dispose();
});

type ErrorBody = { error?: { code?: string; field?: string; message?: string } };

async function raw(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, { redirect: 'manual', ...init });
  const text = await response.text();
  let json: ErrorBody | null = null;
  try {
    json = JSON.parse(text) as ErrorBody;
  } catch {
    // a page
  }
  return { status: response.status, text, json, type: response.headers.get('content-type') ?? '' };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the request line', () => {
  it.each([
    ['/api/jobs/%', 'with a session'],
    ['/api/jobs/%E0%A4%A', 'a cut-off UTF-8 escape'],
    ['/api/cabinets/%zz/packages', 'to a fast-path route'],
  ])('refuses a malformed percent-escape in %s (%s) with 400 naming the path', async (path) => {
    const res = await raw(path, { headers: { cookie: admin.cookie } });
    expect(res.status, res.text).toBe(400);
    expect(res.json?.error?.field).toBe('path');
  });

  it('does the same without a session and on a page path (a plain page there)', async () => {
    const anon = await raw('/api/jobs/%');
    expect([anon.status, anon.json?.error?.field]).toEqual([400, 'path']);
    const page = await raw('/jobs/%');
    expect(page.status).toBe(400);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('path: has a malformed percent-escape');
  });

  it('refuses NUL in a path segment naming the path', async () => {
    const res = await raw('/api/cabinets/a%00b', { headers: { cookie: admin.cookie } });
    expect([res.status, res.json?.error?.field]).toEqual([400, 'path']);
  });

  it('refuses NUL in a query value with 422 naming the parameter, also on pages', async () => {
    const res = await raw('/api/packages?q=%00', { headers: { cookie: admin.cookie } });
    expect([res.status, res.json?.error?.field]).toEqual([422, 'q']);
    expect(res.json?.error?.message).toBe('q: must not contain NUL (U+0000)');
    const nameless = await raw('/api/packages?=%00', { headers: { cookie: admin.cookie } });
    expect([nameless.status, nameless.json?.error?.field]).toEqual([422, 'query']);
    const page = await raw('/packages?q=a%00', { headers: { cookie: admin.cookie } });
    expect(page.status).toBe(422);
  });
});

describe('JSON bodies', () => {
  it('refuses NUL in a text field naming it (group name)', async () => {
    const res = await api<ErrorBody>(server.url, '/api/groups', { method: 'POST', session: admin, json: { name: 'a\u0000b' } });
    expect([res.status, res.body.error?.field]).toEqual([422, 'name']);
    expect(res.body.error?.message).toBe('name: must not contain NUL (U+0000)');
  });

  it('refuses a lone surrogate in a JSON string naming the field', async () => {
    const res = await api<ErrorBody>(server.url, '/api/groups', { method: 'POST', session: admin, rawBody: '{"name":"x\\ud800"}' });
    expect([res.status, res.body.error?.field]).toEqual([422, 'name']);
  });

  it('refuses NUL in a hostname or in facts at enrolment and in inventory (jsonb)', async () => {
    const enrol = await api<ErrorBody>(server.url, '/api/agent/v1/enroll', { method: 'POST', json: { secret, hostname: 'h\u0000', timeZone: 'UTC' } });
    expect([enrol.status, enrol.body.error?.field]).toEqual([422, 'hostname']);
    const facts = { ...testFacts('bad-input-host'), os: { ...testFacts('x').os, distro: 'Deb\u0000ian' } };
    const res = await fetch(`${server.url}/api/agent/v1/inventory`, { method: 'POST', headers: { ...bearer(machine.identity.token), 'content-type': 'application/json' }, body: JSON.stringify(facts) });
    const body = (await res.json()) as ErrorBody;
    expect([res.status, body.error?.field]).toEqual([422, 'os.distro']);
    const surrogate = await fetch(`${server.url}/api/agent/v1/inventory`, {
      method: 'POST',
      headers: { ...bearer(machine.identity.token), 'content-type': 'application/json' },
      body: JSON.stringify(testFacts('bad-input-host')).replace('"Debian"', '"\\udc00"'),
    });
    expect(surrogate.status).toBe(422);
  });

  it('refuses JSON nested 64 levels deep with 422 naming the body, checked before parsing', async () => {
    const deep = `{"name":${'['.repeat(64)}${']'.repeat(64)}}`;
    const res = await api<ErrorBody>(server.url, '/api/groups', { method: 'POST', session: admin, rawBody: deep });
    expect([res.status, res.body.error?.field]).toEqual([422, 'body']);
    const agent = await fetch(`${server.url}/api/agent/v1/inventory`, { method: 'POST', headers: { ...bearer(machine.identity.token), 'content-type': 'application/json' }, body: '['.repeat(100_000) });
    expect(agent.status).toBe(422);
  });

  it('lets the agent report carry NUL in output past the body check, and stores it as ␀', async () => {
    const upload = await uploadPackage(server.url, admin, 'bad-input', manifestFor('nul-output-app', { detection: { kind: 'file', path: '/tmp/depot-nul-output-app' } }), '#!/bin/sh\nexit 0\n');
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    const job = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: { kind: 'install', packageId: upload.body.package!.id, machineIds: [machine.identity.machineId], timing: 'asap' } });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const assignmentId = (await api<{ assignments: { id: string }[] }>(server.url, `/api/jobs/${job.body.job.id}`, { session: admin })).body.assignments[0].id;
    const res = await fetch(`${server.url}/api/agent/v1/report`, {
      method: 'POST',
      headers: { ...bearer(machine.identity.token), 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ assignmentId, attempt: 1, state: 'failed', at: new Date().toISOString(), exitCode: 1, output: 'a\u0000b' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: { outcome: string }[] }).results.map((r) => r.outcome)).toEqual(['applied']);
    const stored = await api<{ assignment: { output: string | null } }>(server.url, `/api/assignments/${assignmentId}`, { session: admin });
    expect(stored.body.assignment.output).toBe('a\u2400b');
  });
});

describe('multipart', () => {
  const boundary = 'XyZ';
  const cutOff = `--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n{"packageId":"x"`;

  it.each([
    ['multipart/form-data', 'content-type'],
    ['multipart/form-data; boundary=', 'content-type'],
  ])('refuses an upload with Content-Type %s naming %s, and the server logs no uncaught exception', async (contentType, field) => {
    const res = await raw('/api/cabinets/bad-input/packages', { method: 'POST', headers: { cookie: admin.cookie, origin: server.url, 'content-type': contentType }, body: cutOff });
    expect([res.status, res.json?.error?.field]).toEqual([400, field]);
    expect(server.output()).not.toMatch(/uncaughtException|Boundary not found/);
  });

  it('refuses an upload cut off inside its file without an uncaughtException in the server', async () => {
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n${JSON.stringify(manifestFor('cut-app'))}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="install.sh"\r\n\r\n#!/bin/sh\necho cut`,
    ].join('');
    const res = await raw('/api/cabinets/bad-input/packages', { method: 'POST', headers: { cookie: admin.cookie, origin: server.url, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect([res.status, res.json?.error?.field]).toEqual([400, 'body']);
    // The server answers before the refused stream's error surfaces; a request after it shows
    // the process is still there and its log holds no uncaught exception.
    expect((await raw('/api/health')).status).toBe(200);
    expect(server.output()).not.toMatch(/uncaughtException/);
  });

  it('refuses an upload whose manifest holds NUL naming the field', async () => {
    const form = new FormData();
    form.append('manifest', JSON.stringify(manifestFor('nul-app', { displayName: 'a\u0000b' })));
    form.append('file', new Blob(['#!/bin/sh\n']), 'install.sh');
    const res = await raw('/api/cabinets/bad-input/packages', { method: 'POST', headers: { cookie: admin.cookie, origin: server.url }, body: form });
    expect([res.status, res.json?.error?.field]).toEqual([422, 'displayName']);
  });

  it('refuses a broken multipart POST to a page path with a 400 page (Next answered 500)', async () => {
    for (const contentType of [`multipart/form-data; boundary=${boundary}`, 'multipart/form-data; boundary=other']) {
      const res = await raw('/jobs', { method: 'POST', headers: { cookie: admin.cookie, origin: server.url, 'content-type': contentType }, body: cutOff });
      expect(res.status, res.text.slice(0, 200)).toBe(400);
      expect(res.text).toContain('body: is not valid multipart/form-data');
    }
    expect(server.output()).not.toMatch(/Failed to parse body as FormData/);
  });
});

describe('aborted requests', () => {
  /** Sends the head and part of a body, then hangs up. */
  const abort = (path: string, headers: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        const head = Object.entries({ ...headers, host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', 'content-length': '100000' }).map(([k, v]) => `${k}: ${v}`);
        socket.write(`POST ${path} HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n{"events": [`, () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });

  it('logs one debug line per aborted request and no unexpected error (1,000 aborts gave 1,000 error lines)', async () => {
    const before = (server.output().match(/aborted by the client/g) ?? []).length;
    for (let i = 0; i < 3; i++) await abort('/api/agent/v1/report', bearer(machine.identity.token));
    await waitFor(() => (server.output().match(/aborted by the client/g) ?? []).length >= before + 3);
    expect(server.output()).not.toMatch(/unexpected error|request failed/);
  });
});
