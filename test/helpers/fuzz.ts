/**
 * The bad-input sweep (issue 14): every JSON route found in the file tree and every fast-path
 * route, each exported method, called with valid credentials of the right kind and random or
 * shaped-but-wrong path ids, query strings and bodies (fast-check, fixed seed). An answer fails
 * when it is a 5xx, or a 4xx whose JSON error does not say what was wrong (a message, and for
 * 400/422 the field or part at fault). test/fuzz.integ.ts runs it in `npm test`; `npm run fuzz`
 * (test/fuzz.ts) runs it with more cases and prints the counts.
 *
 * The credentials survive the sweep because destructive calls cannot reach them: path ids come
 * from spare rows (a spare machine, relay, token, user), never the ones whose credentials are used.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { FAST_PATH_ROUTES } from '@/lib/agent-api/fast-path';
import { createSecret, enrollTestMachine } from './agent';
import { demoAdmin } from './demo';
import { api, mustSignIn, type Session } from './http';
import { PLACEHOLDER_ID, routeMethods } from './inventory';
import { manifestFor, seedCabinet, seedPackage } from './seed';
import { projectDir } from './server';

export type Credential = 'admin' | 'machine' | 'relay' | 'none';

export interface SweepTarget {
  /** `POST /api/jobs/[id]/cancel` */
  name: string;
  method: string;
  /** Path with `{name}` holes for its parameters. */
  template: string;
  params: string[];
  credential: Credential;
  /** Sends a body (JSON, or multipart for the upload). */
  body: 'json' | 'upload' | 'none';
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every route: Next's from the file tree, the fast path's from its table. */
export function sweepTargets(): SweepTarget[] {
  const next = routeMethods().map((r): SweepTarget => {
    const template = r.file
      .replace(/^app/, '')
      .replace(/\/route\.tsx?$/, '')
      .replace(/\/\([^/]+\)/g, '')
      .replace(/\[([^\]]+)\]/g, '{$1}');
    return {
      name: `${r.method} ${template}`,
      method: r.method,
      template,
      params: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
      credential: 'admin',
      body: BODY_METHODS.has(r.method) ? 'json' : 'none',
    };
  });
  const fast = FAST_PATH_ROUTES.map((r, i): SweepTarget => {
    let n = 0;
    const template = r.pattern.source
      .replace(/^\^|\$$/g, '')
      .replace(/\\\//g, '/')
      .replace(/\([^)]*\)/g, () => `{p${n++}}`);
    const credential: Credential = template.startsWith('/api/agent/') ? 'machine' : template.startsWith('/api/relay/') ? 'relay' : template === '/api/health' ? 'none' : 'admin';
    const body = template === '/api/cabinets/{p0}/packages' ? 'upload' : r.method === 'POST' ? 'json' : 'none';
    return { name: `${r.method} ${template} (fast path #${i})`, method: r.method, template, params: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]), credential, body };
  });
  return [...next, ...fast];
}

export interface SweepFixtures {
  url: string;
  session: Session;
  adminToken: string;
  machineToken: string;
  relayToken: string;
  enrolmentSecret: string;
  /** Real values a shaped case may use: ids of spare rows, names, hashes. */
  pool: string[];
  /** Real ids by the kind a path segment names. */
  realIds: Record<string, string[]>;
}

/** Creates the credentials and the spare rows the sweep aims at. */
export async function prepareSweep(url: string): Promise<SweepFixtures> {
  const session = await mustSignIn(url, demoAdmin.email, demoAdmin.password);
  const post = async <T>(p: string, json: unknown): Promise<T> => {
    const res = await api<T>(url, p, { method: 'POST', session, json });
    if (res.status >= 300) throw new Error(`sweep fixture ${p}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const adminToken = (await post<{ token: { token: string } }>('/api/tokens', { name: 'sweep', role: 'admin' })).token.token;
  const spareToken = (await post<{ token: { id: string } }>('/api/tokens', { name: 'spare', role: 'auditor' })).token.id;
  const spareUser = (await post<{ user: { id: string } }>('/api/users', { email: 'spare@depot.test', name: 'Spare', role: 'user', password: 'spare-password-1' })).user.id;
  await seedCabinet(url, session, 'sweep');
  const pkg = await seedPackage(url, session, 'sweep', 'sweep-app');
  const enrolmentSecret = await createSecret(url, session, 'sweep');
  const spareSecret = (await api<{ enrolmentSecrets: { id: string }[] }>(url, '/api/enrolment-secrets', { session })).body.enrolmentSecrets?.[0]?.id ?? PLACEHOLDER_ID;
  const own = await enrollTestMachine(url, enrolmentSecret, 'sweep-own');
  const spare = await enrollTestMachine(url, enrolmentSecret, 'sweep-spare');
  const group = (await post<{ group: { id: string } }>('/api/groups', { name: 'sweep' })).group.id;
  const job = (await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId: pkg.id, machineIds: [spare.identity.machineId], timing: 'asap' })).job.id;
  const relay = (await post<{ relay: { token: string } }>('/api/relays', { name: 'sweep', url: 'http://relay-sweep:8081/' })).relay.token;
  const spareRelay = (await post<{ relay: { id: string } }>('/api/relays', { name: 'spare', url: 'http://relay-spare:8081/' })).relay.id;
  const plan = await fetch(`${url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${spare.identity.token}` } });
  const assignment = ((await plan.json()) as { assignments?: { assignmentId?: string; id?: string }[] }).assignments?.[0];
  const assignmentId = assignment?.assignmentId ?? assignment?.id ?? PLACEHOLDER_ID;
  const realIds: Record<string, string[]> = {
    id: [spare.identity.machineId, spareUser, spareToken, group, job, pkg.id, spareRelay, spareSecret],
    name: ['sweep'],
    assignmentId: [assignmentId],
    groupId: [group],
    p0: [pkg.sha256, 'sweep', pkg.id],
  };
  const pool = [spare.identity.machineId, spareUser, group, job, pkg.id, spareRelay, assignmentId, pkg.sha256, 'sweep', 'sweep-app', 'spare@depot.test', 'UTC'];
  return { url, session, adminToken, machineToken: own.identity.token, relayToken: relay, enrolmentSecret, pool, realIds };
}

export interface SweepCase {
  path: string;
  query: string;
  /** undefined: no body. */
  body?: { contentType?: string; data: string | Uint8Array };
  /** Admin routes alternate between the API token and the session cookie. */
  viaSession: boolean;
}

/** Field names the schemas use, read from the source, so shaped bodies and queries hit real fields. */
function knownFieldNames(): string[] {
  const names = new Set<string>();
  const dirs = ['app/api', 'lib'];
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  for (const dir of dirs) {
    for (const file of walk(path.join(projectDir, dir))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\b([a-zA-Z]\w{0,30}):\s*(?:z\.|\w+Schema\b|shortText|bytes)/g)) names.add(m[1]);
    }
  }
  return [...names].sort();
}

const FIELD_NAMES = knownFieldNames();

const weirdText = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\u202e',
  '%',
  '%E0%A4%A',
  '../../etc/passwd',
  'x'.repeat(5000),
  '2026-02-30T25:61:00Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01',
  '25:99',
  '-1',
  '1e309',
  'NaN',
  'null',
  '<script>',
  "' or 1=1 --",
  'Europe/Nowhere',
  'not-a-uuid',
  PLACEHOLDER_ID,
  'ÿ',
  '🙂',
);

function valueArb(pool: string[]): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(
    weirdText,
    fc.constantFrom(...pool),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.uuid(),
    fc.integer(),
    fc.constantFrom(0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 2 ** 63),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  );
  return fc.oneof(
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), scalar, { maxKeys: 3 }) },
  );
}

/** A JSON text that is not valid or not storable, as bytes. */
const brokenJson = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => Buffer.from(s)),
  fc.constantFrom(
    '{"name": "x", ',
    '{"name": "a\\u0000b"}',
    '{"name": "\\ud800"}',
    '{"\\u0000": 1}',
    '["\\udfff"]',
    '',
    'null',
    '[]',
    '""',
    '0',
    '{"__proto__": {"role": "admin"}}',
    '{"constructor": {"prototype": {}}}',
  ).map((s) => Buffer.from(s)),
  fc.integer({ min: 2, max: 5000 }).map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.integer({ min: 2, max: 5000 }).map((n) => Buffer.from(`{"name":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`)),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.concat([Buffer.from('{"name":"'), b, Buffer.from('"}')])),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/json; charset=utf-16',
  undefined,
);

function jsonBodyArb(pool: string[]): fc.Arbitrary<SweepCase['body']> {
  const shaped = fc.dictionary(fc.constantFrom(...FIELD_NAMES), valueArb(pool), { maxKeys: 6 }).map((o) => Buffer.from(JSON.stringify(o)));
  const random = fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
  return fc.record({
    contentType: contentTypes,
    data: fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 2, arbitrary: random }, { weight: 2, arbitrary: brokenJson }),
  }) as fc.Arbitrary<SweepCase['body']>;
}

function uploadBodyArb(pool: string[]): fc.Arbitrary<SweepCase['body']> {
  const boundary = 'sweepboundary';
  const part = (name: string, value: string | Buffer, fileName?: string) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${fileName ? `; filename="${fileName}"` : ''}\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]);
  const manifest = fc.oneof(
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), valueArb(pool), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
    fc.record({ extra: valueArb(pool), n: fc.nat(1000) }).map(({ extra, n }) => JSON.stringify(manifestFor(`sweep-${n}`, { displayName: extra }))),
    brokenJson.map((b) => b.toString('latin1')),
  );
  const multipart = fc
    .record({
      manifest,
      content: fc.uint8Array({ maxLength: 64 }),
      sha256: fc.option(weirdText, { nil: undefined }),
      cut: fc.integer({ min: 0, max: 3 }),
      contentType: fc.constantFrom(`multipart/form-data; boundary=${boundary}`, 'multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary=other`, 'multipart/mixed', 'text/plain'),
    })
    .map(({ manifest: m, content, sha256, cut, contentType }) => {
      let data = Buffer.concat([part('manifest', m), part('file', Buffer.from(content), 'install.sh'), sha256 === undefined ? Buffer.alloc(0) : part('sha256', sha256), Buffer.from(`--${boundary}--\r\n`)]);
      if (cut === 1) data = data.subarray(0, Math.floor(data.length / 2)); // cut off mid-part
      if (cut === 2) data = Buffer.concat([part('file', Buffer.from(content), 'x'), Buffer.from(`--${boundary}--\r\n`)]); // no manifest
      return { contentType, data };
    });
  const raw = fc.record({ data: fc.uint8Array({ maxLength: 64 }), contentType: fc.constant('application/octet-stream') });
  return fc.oneof({ weight: 4, arbitrary: multipart }, { weight: 1, arbitrary: raw });
}

function segmentArb(param: string, realIds: Record<string, string[]>): fc.Arbitrary<string> {
  const real = realIds[param] ?? realIds.id;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...real).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.uuid() },
    // `.` and `..` are left out: fetch resolves them, so they would aim at another path.
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s !== '.' && s !== '..').map((s) => encodeURIComponent(wellFormed(s))) },
    { weight: 2, arbitrary: fc.constantFrom('%', '%E0', '%E0%A4%A', '%zz', '%00', 'a%00b', '%ED%A0%80', '%C0%AF', '%2F', '...', '.x', 'x'.repeat(3000), '-1', '0', '1e9', PLACEHOLDER_ID.toUpperCase()) },
  );
}

function queryArb(pool: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...FIELD_NAMES, 'q', 'page', 'limit', 'cursor', 'status', 'from', 'to', 'sort', 'kind'), fc.string({ maxLength: 8 }));
  const value = valueArb(pool).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
  const encoded = fc.tuple(key, value).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(wellFormed(v))}`);
  const raw = fc.constantFrom('q=%00', 'q=%', 'q=%E0%A4', '%00=1', 'page=%FF', 'q=a&q=b', 'limit=99999999999999999999', 'page=-1', 'q', '=', '&&', 'q=%ED%A0%80');
  return fc.array(fc.oneof(encoded, raw), { maxLength: 4 }).map((parts) => (parts.length ? `?${parts.join('&')}` : ''));
}

/** encodeURIComponent throws on a lone surrogate; the raw cases above send those on purpose. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDFFF]/g, '\uFFFD');

/** The cases for one target; the same seed gives the same cases. */
export function caseArbitrary(target: SweepTarget, fixtures: SweepFixtures): fc.Arbitrary<SweepCase> {
  const segments = target.params.map((p) => segmentArb(p, fixtures.realIds));
  const pathArb = (segments.length ? fc.tuple(...segments) : fc.constant([] as string[])).map((values) => {
    let i = 0;
    return target.template.replace(/\{[^}]+\}/g, () => values[i++]);
  });
  const body =
    target.body === 'json' ? jsonBodyArb(fixtures.pool) : target.body === 'upload' ? uploadBodyArb(fixtures.pool) : fc.constant(undefined);
  return fc.record({ path: pathArb, query: queryArb(fixtures.pool), body, viaSession: fc.boolean() });
}

export interface SweepAnswer {
  target: string;
  status: number;
  /** Why the answer fails the sweep, or null. */
  failure: string | null;
  request: string;
}

/** Sends one case with the target's credential and judges the answer. */
export async function sendCase(target: SweepTarget, c: SweepCase, fixtures: SweepFixtures): Promise<SweepAnswer> {
  const headers: Record<string, string> = {};
  if (target.credential === 'machine') headers.authorization = `Bearer ${fixtures.machineToken}`;
  if (target.credential === 'relay') headers.authorization = `Bearer ${fixtures.relayToken}`;
  if (target.credential === 'admin') {
    if (c.viaSession) {
      headers.cookie = fixtures.session.cookie;
      // A cookie-authenticated change must come from the site's own origin (issue 14).
      if (target.method !== 'GET') headers.origin = fixtures.url;
    } else {
      headers.authorization = `Bearer ${fixtures.adminToken}`;
    }
  }
  let body: Buffer | undefined;
  if (c.body && target.method !== 'GET') {
    body = Buffer.from(c.body.data);
    if (c.body.contentType) headers['content-type'] = c.body.contentType;
  }
  const request = `${target.method} ${c.path}${c.query}${body ? ` [${headers['content-type'] ?? 'no content-type'}] ${Buffer.from(body).toString('utf8').slice(0, 300)}` : ''}`;
  let response: Response;
  try {
    response = await fetch(`${fixtures.url}${c.path}${c.query}`, { method: target.method, headers, body: body as unknown as BodyInit, redirect: 'manual' });
  } catch (error) {
    return { target: target.name, status: 0, failure: `no answer: ${(error as Error).message} ${(error as Error).cause ?? ''}`, request };
  }
  const text = await response.text().catch(() => '');
  return { target: target.name, status: response.status, failure: judge(response.status, text), request };
}

function judge(status: number, text: string): string | null {
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  if (status < 400) return null;
  let parsed: { error?: { message?: unknown; field?: unknown } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return `${status} without a JSON error: ${text.slice(0, 200)}`;
  }
  const message = parsed?.error?.message;
  if (typeof message !== 'string' || !message) return `${status} without error.message: ${text.slice(0, 200)}`;
  if ((status === 400 || status === 422) && (typeof parsed.error?.field !== 'string' || !parsed.error.field)) return `${status} names no field or part: ${text.slice(0, 200)}`;
  return null;
}

export interface SweepResult {
  answers: SweepAnswer[];
  /** status → count, per target and in total. */
  counts: Map<string, Map<number, number>>;
  total: Map<number, number>;
}

/**
 * Runs `casesPerTarget` cases against every target, `concurrency` requests at a time. Credentials
 * are checked again at the end: a sweep that locked itself out would pass on 401s alone.
 */
export async function runSweep(fixtures: SweepFixtures, options: { casesPerTarget: number; seed: number; concurrency?: number; targets?: SweepTarget[] }): Promise<SweepResult> {
  const targets = options.targets ?? sweepTargets();
  const jobs: { target: SweepTarget; c: SweepCase }[] = [];
  targets.forEach((target, i) => {
    for (const c of fc.sample(caseArbitrary(target, fixtures), { numRuns: options.casesPerTarget, seed: options.seed + i })) jobs.push({ target, c });
  });
  const answers: SweepAnswer[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 6 }, async () => {
      while (next < jobs.length) {
        const n = next++;
        answers[n] = await sendCase(jobs[n].target, jobs[n].c, fixtures);
      }
    }),
  );
  const counts = new Map<string, Map<number, number>>();
  const total = new Map<number, number>();
  for (const a of answers) {
    const per = counts.get(a.target) ?? new Map<number, number>();
    counts.set(a.target, per);
    per.set(a.status, (per.get(a.status) ?? 0) + 1);
    total.set(a.status, (total.get(a.status) ?? 0) + 1);
  }
  return { answers, counts, total };
}

/** The credentials still work after the sweep (it must not have retired or revoked its own). */
export async function credentialsStillWork(fixtures: SweepFixtures): Promise<Record<string, number>> {
  const status = async (p: string, headers: Record<string, string>, method = 'GET') => (await fetch(`${fixtures.url}${p}`, { method, headers })).status;
  return {
    session: await status('/api/dashboard', { cookie: fixtures.session.cookie }),
    adminToken: await status('/api/dashboard', { authorization: `Bearer ${fixtures.adminToken}` }),
    machineToken: await status('/api/agent/v1/plan', { authorization: `Bearer ${fixtures.machineToken}` }),
    relayToken: await status('/api/relay/v1/heartbeat', { authorization: `Bearer ${fixtures.relayToken}`, 'content-type': 'application/json' }, 'POST'),
  };
}

export function formatCounts(result: SweepResult): string {
  const statuses = [...result.total.keys()].sort((a, b) => a - b);
  const width = Math.max(...[...result.counts.keys()].map((k) => k.length), 5);
  const row = (name: string, m: Map<number, number>) => `${name.padEnd(width)}  ${statuses.map((s) => String(m.get(s) ?? 0).padStart(6)).join('')}`;
  return [
    `${'route'.padEnd(width)}  ${statuses.map((s) => String(s).padStart(6)).join('')}`,
    ...[...result.counts.entries()].map(([name, m]) => row(name, m)),
    row('total', result.total),
  ].join('\n');
}
