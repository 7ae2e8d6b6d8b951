/**
 * (#7) The end-user portal for a user with 20 machines and 1,000 offered packages, on PostgreSQL,
 * among other users' machines with the same offers (so every query has to find this user's rows
 * among many). A real server process (the production build) on a fresh database, seeded with
 * set-based SQL; the demo user signs in and the client GETs each page and its JSON twin.
 * Goal: p95 < 200 ms per page. Baselines as in bench/pages.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { demoUser } from '../test/helpers/demo';
import { mustSignIn } from '../test/helpers/http';
import { projectDir, startServer } from '../test/helpers/server';
import { measureUrls, type UrlTarget } from './measure-urls';

const MY_MACHINES = 20;
const OFFERS = Number(process.env.BENCH_PORTAL_OFFERS ?? 1000);
const OTHER_MACHINES = Number(process.env.BENCH_PORTAL_OTHERS ?? 2000);
const REQUESTS = Number(process.env.BENCH_PORTAL_REQUESTS ?? 50);
const WARMUP = Number(process.env.BENCH_PORTAL_WARMUP ?? 5);

const CATEGORIES = ['Browsers', 'Office', 'Development', 'Graphics', 'Communication', 'Utilities', 'Security', 'Science'];

/**
 * Every offer job reaches the user's 20 machines and a tenth of the other machines. On the user's
 * machines most offers are still open; some were chosen (pending), some installed (with their
 * events), a few failed or were rejected, so every badge and the history have rows.
 */
async function seed(databaseUrl: string, userEmail: string): Promise<{ machine: string; assignments: number }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`select setseed(0.3)`);
    const [{ id: owner }] = (await db.query<{ id: string }>(`select id from users where email = $1`, [userEmail])).rows;
    await db.query(
      `insert into machines (hostname, token_hash, owner_id, owner_since, time_zone, facts, last_seen_at, windows)
       select case when g <= $2 then 'my-pc-' || lpad(g::text, 2, '0') else 'other-' || lpad(g::text, 5, '0') end,
              md5('pa' || g) || md5('pb' || g), case when g <= $2 then $1::uuid end,
              -- Owned since before the seeded activity, so history and failures have rows to show.
              case when g <= $2 then now() - interval '30 days' end,
              (array['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'])[1 + g % 3],
              jsonb_build_object('os', jsonb_build_object('platform', 'linux', 'distro', 'Debian GNU/Linux', 'release', '12', 'arch', 'x64')),
              now() - interval '3 minutes' * random(),
              case when g % 2 = 0 then '[{"day":1,"start":"22:00","minutes":240},{"day":3,"start":"22:00","minutes":240}]'::jsonb end
       from generate_series(1, $2::int + $3::int) g`,
      [owner, MY_MACHINES, OTHER_MACHINES],
    );
    const [{ id: cabinet }] = (await db.query<{ id: string }>(`insert into cabinets (name) values ('portal-bench') returning id`)).rows;
    await db.query(`insert into content_blobs (sha256, size) select md5('pc' || g) || md5('pd' || g), 1000000 * (1 + g % 300) from generate_series(1, $1::int) g`, [OFFERS]);
    const manifest = { installer: { kind: 'deb', install: ['{file}'], uninstall: ['dpkg', '-r', 'x'], successExitCodes: [0], timeoutSeconds: 600, reboot: 'never' }, conditions: {}, detection: { kind: 'none' } };
    await db.query(
      `insert into packages (cabinet_id, package_id, version, generation, display_name, installer_kind, manifest, content_sha256, size, file_name, description, category, self_service)
       select $1, 'app-' || g, '2.' || g % 17, 1, 'Application ' || g, 'deb',
              $2::jsonb || jsonb_build_object('packageId', 'app-' || g, 'displayName', 'Application ' || g, 'version', '2.' || g % 17, 'publisher', 'Vendor ' || g % 40),
              md5('pc' || g) || md5('pd' || g), 1000000 * (1 + g % 300), 'app-' || g || '.deb',
              'Application ' || g || ' does useful things for ' || ($3::text[])[1 + g % 8] || ' work.', ($3::text[])[1 + g % 8], g % 3 = 0
       from generate_series(1, $4::int) g`,
      [cabinet, JSON.stringify(manifest), CATEGORIES, OFFERS],
    );
    await db.query(`insert into jobs (name, kind, package_id, package_label, timing, deadline, allow_install_now, created_at)
      select 'Offer ' || p.package_id, 'offer', p.id, 'portal-bench/' || p.package_id || ' ' || p.version || ' (1)', 'windows',
             case when row_number() over (order by p.package_id) % 10 = 0 then now() + interval '5 days' end, true, now() - interval '3 days'
      from packages p where p.cabinet_id = $1`, [cabinet]);
    await db.query(`analyze`);
    await db.query(`
      with x as (
        select j.id as job_id, m.id as machine_id, m.owner_id is not null as mine, random() as r, j.created_at
        from jobs j cross join machines m
        where m.owner_id is not null or abs(hashtext(j.id::text || m.id::text)) % 10 = 0)
      insert into assignments (job_id, machine_id, state, exit_code, reason, created_at, updated_at)
      select job_id, machine_id, s.state::assignment_state,
             case s.state when 'installed' then 0 when 'failed' then 1603 end,
             case s.state when 'failed' then 'the installer exited with code 1603' end,
             created_at, created_at + interval '1 day' * r
      from x cross join lateral (select case
             when r < 0.80 then 'offered' when r < 0.85 then 'pending' when r < 0.95 then 'installed'
             when r < 0.97 then 'failed' else 'declined' end as state) s
      order by machine_id, job_id`);
    await db.query(`
      insert into assignment_events (assignment_id, attempt, state, at, received_at, exit_code, reason, output, source, actor_label)
      select a.id, 1, u.state::assignment_state, a.updated_at - interval '1 minute' * (4 - u.n), a.updated_at - interval '1 minute' * (4 - u.n) + interval '2 seconds',
             case when u.n = 4 then a.exit_code end, case when u.n = 4 then a.reason end,
             case when u.n = 4 and a.state = 'failed' then E'Preparing to unpack ...\\ndpkg: error processing archive\\nErrors were encountered' end,
             case when u.state = 'downloading' then 'server' end, 'agent'
      from assignments a
      cross join lateral unnest(array['downloading', 'ready', 'installing', a.state::text]) with ordinality u(state, n)
      where a.state in ('installed', 'failed')`);
    await db.query(`vacuum (analyze)`);
    const machine = (await db.query<{ id: string }>(`select id from machines where owner_id = $1 order by hostname limit 1`, [owner])).rows[0].id;
    const assignments = (await db.query<{ n: number }>(`select count(*)::int as n from assignments`)).rows[0].n;
    return { machine, assignments };
  } finally {
    await db.end();
  }
}

export async function benchPortal(): Promise<string[]> {
  if (!fs.existsSync(path.join(projectDir, '.next', 'BUILD_ID'))) {
    throw new Error('bench portal measures the production build, and .next is missing: run `npm run build` first.');
  }
  process.env.DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'; // startServer makes a fresh database from it
  const server = await startServer();
  try {
    const seedStarted = performance.now();
    const s = await seed(server.databaseUrl!, demoUser.email);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const session = await mustSignIn(server.url, demoUser.email, demoUser.password);
    const targets: UrlTarget[] = [
      { label: 'baseline  GET /api/health (fast path, 1 query)', path: '/api/health', baseline: true },
      { label: 'baseline  GET /signin (Next page, no data)', path: '/signin', baseline: true },
      ...PORTAL_URLS(s.machine),
    ];
    return [
      `(portal) the end-user portal on PostgreSQL: a user with ${MY_MACHINES} machines and ${OFFERS.toLocaleString('en')} offered packages, among ${OTHER_MACHINES.toLocaleString('en')} other machines; ${s.assignments.toLocaleString('en')} assignments (seeded in ${seedSeconds.toFixed(1)} s);`,
      ...(await measureUrls({ baseUrl: server.url, pid: server.pid()!, cookie: session.cookie, targets, requests: REQUESTS, warmup: WARMUP, goalMs: 200, who: 'the demo user' })),
    ];
  } finally {
    await server.dispose();
  }
}

/** The portal's pages and JSON twins, for one of the user's machines. */
function PORTAL_URLS(machine: string): UrlTarget[] {
  return [
    { label: 'my machines  /portal', path: '/portal' },
    { label: 'JSON         /api/portal/machines', path: '/api/portal/machines' },
    { label: 'machine      /portal/machines/<id>', path: `/portal/machines/${machine}` },
    { label: 'catalog      /portal/catalog', path: '/portal/catalog' },
    { label: 'catalog      ?q=Application 5', path: '/portal/catalog?q=Application%205' },
    { label: 'catalog      ?category=Graphics', path: '/portal/catalog?category=Graphics' },
    { label: 'JSON         /api/portal/catalog', path: '/api/portal/catalog' },
    { label: 'history      /portal/history', path: '/portal/history' },
    { label: 'JSON         /api/portal/history', path: '/api/portal/history' },
    { label: 'windows      /portal/windows', path: '/portal/windows' },
  ];
}
