/**
 * (P7) The admin pages a person waits for, at fleet scale: the job page and the machines page
 * (and their JSON twins, and the dashboard) with 10,000 machines and 100,000 assignments on
 * PostgreSQL. A real server process (the production build) on a fresh database, seeded with
 * set-based SQL; the demo admin signs in and the client GETs each URL with the session cookie,
 * reads the whole body and checks for 200. Requests are sequential (one person clicking) and
 * interleaved across URLs, round by round, so drift in machine load hits every URL alike. Goal:
 * p95 < 200 ms per page. Two baselines in the same run show the machine's noise floor: the fast
 * path's health check (one query, no Next) and the sign-in page (a Next render, no data).
 *
 * BENCH_PAGES_KEEP=1 leaves the server stopped and its database in place (URL printed), for
 * EXPLAIN ANALYZE by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { demoAdmin } from '../test/helpers/demo';
import { mustSignIn } from '../test/helpers/http';
import { projectDir, startServer } from '../test/helpers/server';
import { measureUrls, type UrlTarget } from './measure-urls';

const MACHINES = Number(process.env.BENCH_PAGES_MACHINES ?? 10_000);
const JOBS = Number(process.env.BENCH_PAGES_JOBS ?? 10);
const REQUESTS = Number(process.env.BENCH_PAGES_REQUESTS ?? 50);
const WARMUP = Number(process.env.BENCH_PAGES_WARMUP ?? 5);
const GOAL_MS = 200;

/**
 * The fleet in a handful of statements. Jobs are spread over the last ten days, the newest still
 * running; the older a job, the more of it has finished. Failed assignments carry an exit code,
 * a reason and a few KiB of output that does not compress away (md5 lines), on the assignment
 * and on its failed event, as applyReport stores them. Each assignment has the events of the
 * path it took (downloading → ready → installing → installed/failed; skipped; cancelled…).
 */
async function seed(databaseUrl: string): Promise<{ newestJob: string; oldestJob: string; group: string; machines: number; assignments: number; events: number }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`select setseed(0.7)`); // the same mix every run
    await db.query(`insert into users (email, name, role, password_hash)
      select 'owner' || lpad(g::text, 3, '0') || '@example.com', 'Owner ' || g, 'user', 'not-a-hash' from generate_series(1, 300) g`);
    await db.query(`insert into machine_groups (name, description)
      select (array['Berlin', 'London', 'New York', 'San Francisco', 'Tokyo'])[1 + g % 5] || ' ' || (array['desktops', 'laptops', 'servers', 'lab'])[1 + g / 5], 'bench'
      from generate_series(0, 19) g`);
    await db.query(`insert into enrolment_secrets (name, secret_hash, prefix, uses)
      select 'rollout ' || g, md5('s' || g) || md5('t' || g), 'dpe_' || substr(md5('s' || g), 1, 6), $1::int / 3 from generate_series(1, 3) g`, [MACHINES]);
    await db.query(
      `with owners as (select array_agg(id order by email) as ids from users where email like 'owner%'),
            secrets as (select array_agg(id order by name) as ids from enrolment_secrets),
            os(i, platform, distro, release, kernel, arch) as (values
              (0, 'linux', 'Debian GNU/Linux', '12', '6.1.0-18-amd64', 'x64'),
              (1, 'linux', 'Ubuntu', '22.04.4 LTS', '5.15.0-105-generic', 'x64'),
              (2, 'linux', 'Ubuntu', '24.04 LTS', '6.8.0-31-generic', 'x64'),
              (3, 'win32', 'Microsoft Windows 11 Pro', '10.0.22631', '10.0.22631', 'x64'),
              (4, 'darwin', 'macOS', '14.4.1', '23.4.0', 'arm64'),
              (5, 'linux', 'Rocky Linux', '9.3', '5.14.0-362.8.1.el9_3.x86_64', 'x64')),
            m as (
              select g,
                     (array['ber', 'lon', 'nyc', 'sfo', 'tyo'])[1 + g % 5] || '-' || (array['ws', 'lt', 'srv', 'lab'])[1 + (g / 5) % 4] || '-' || lpad(g::text, 5, '0') as hostname,
                     (array['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'])[1 + g % 5] as tz,
                     random() as r, random() as r2
              from generate_series(1, $1::int) g)
       insert into machines (hostname, token_hash, enrolment_secret_id, owner_id, time_zone, facts, enrolled_at, last_seen_at, retired_at)
       select m.hostname, md5('a' || m.g) || md5('b' || m.g), secrets.ids[1 + m.g % 3],
              case when m.g % 3 = 0 then owners.ids[1 + m.g % 300] end,
              m.tz,
              case when m.r < 0.04 then jsonb_build_object('hostname', m.hostname, 'timeZone', m.tz)
                   else jsonb_build_object(
                     'hostname', m.hostname, 'timeZone', m.tz,
                     'os', jsonb_build_object('platform', os.platform, 'distro', os.distro, 'release', os.release, 'kernel', os.kernel, 'arch', os.arch),
                     'cpu', jsonb_build_object('model', 'Intel(R) Core(TM) i7-1265U', 'cores', 4 + 4 * (m.g % 3)),
                     'memory', jsonb_build_object('totalBytes', (8 + 8 * (m.g % 4))::bigint * 1073741824, 'freeBytes', (m.r2 * 4 * 1073741824)::bigint),
                     'disks', jsonb_build_array(jsonb_build_object('mount', case when os.platform = 'win32' then 'C:' else '/' end, 'sizeBytes', 512110190592, 'freeBytes', (m.r2 * 400e9)::bigint)),
                     'network', jsonb_build_array(jsonb_build_object('iface', 'eth0', 'ipv4', '10.' || (m.g / 65536) % 256 || '.' || (m.g / 256) % 256 || '.' || m.g % 256,
                                                                     'ipv6', 'fe80::' || to_hex(m.g), 'mac', '02:42:' || substr(md5(m.g::text), 1, 2) || ':' || substr(md5(m.g::text), 3, 2) || ':' || substr(md5(m.g::text), 5, 2) || ':' || substr(md5(m.g::text), 7, 2))),
                     'uptimeSeconds', (m.r2 * 2e6)::int,
                     'reportedAt', to_char((now() - interval '1 hour' * m.r2) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
              end,
              now() - interval '120 days' * m.r2,
              case when m.r < 0.04 then null                                  -- never seen
                   when m.r < 0.74 then now() - interval '4 minutes' * m.r2  -- online
                   else now() - interval '10 days' * m.r2 - interval '1 hour' -- offline
              end,
              case when m.r > 0.975 then now() - interval '5 days' end
       from m cross join owners cross join secrets join os on os.i = m.g % 6`,
      [MACHINES],
    );
    // Every machine in its site's group; half of them also in a second one.
    await db.query(`insert into group_members (group_id, machine_id)
      select g.id, m.id from machines m join machine_groups g on g.name = (case substr(m.hostname, 1, 3) when 'ber' then 'Berlin' when 'lon' then 'London' when 'nyc' then 'New York' when 'sfo' then 'San Francisco' else 'Tokyo' end) || ' ' ||
        (case substr(m.hostname, 5, 2) when 'ws' then 'desktops' when 'lt' then 'laptops' when 'sr' then 'servers' else 'lab' end)
      on conflict do nothing`);
    await db.query(`insert into group_members (group_id, machine_id)
      select (select array_agg(id order by name) from machine_groups)[1 + abs(hashtext(m.id::text)) % 20], m.id from machines m where abs(hashtext(m.hostname)) % 2 = 0
      on conflict do nothing`);
    const [{ id: cabinet }] = (await db.query<{ id: string }>(`insert into cabinets (name) values ('bench') returning id`)).rows;
    await db.query(`insert into content_blobs (sha256, size) select md5('c' || g) || md5('d' || g), 50000000 from generate_series(1, $1::int) g`, [JOBS]);
    const manifest = { installer: { kind: 'deb', install: ['{file}'], successExitCodes: [0], timeoutSeconds: 600, reboot: 'never' }, conditions: {}, detection: { kind: 'none' } };
    await db.query(
      `insert into packages (cabinet_id, package_id, version, generation, display_name, installer_kind, manifest, content_sha256, size, file_name)
       select $1, (array['firefox-esr', 'libreoffice', 'vlc', 'zoom', 'chrome', 'slack', 'vscode', '7zip', 'teams', 'gimp'])[1 + (g - 1) % 10], '1.' || g, 1,
              'Package ' || g, 'deb', $2::jsonb || jsonb_build_object('packageId', 'p' || g, 'displayName', 'Package ' || g, 'version', '1.' || g),
              md5('c' || g) || md5('d' || g), 50000000, 'p' || g || '.deb'
       from generate_series(1, $3::int) g`,
      [cabinet, JSON.stringify(manifest), JOBS],
    );
    // Job k (0 = newest) was created k days and a few hours ago; progress grows with age.
    await db.query(`insert into jobs (name, kind, package_id, package_label, timing, created_at, created_by)
      select 'Roll out ' || p.package_id || ' ' || p.version, case when k = 3 then 'offer' when k = 6 then 'uninstall' else 'install' end::job_kind,
             p.id, 'bench/' || p.package_id || ' ' || p.version || ' (1)', 'asap', now() - interval '1 day' * k - interval '3 hours',
             (select id from users where role = 'admin' order by created_at limit 1)
      from (select p.*, row_number() over (order by p.version) - 1 as k from packages p) p`);
    await db.query(`analyze`);
    // One row per (job, machine); the state from the job's progress (0.45 for the newest, 0.95 at nine days).
    await db.query(`
      with j as (
        select id, created_at, kind, extract(epoch from now() - created_at) / 86400 as age_days,
               least(0.95, 0.45 + 0.06 * extract(epoch from now() - created_at) / 86400) as done
        from jobs),
      x as (
        select j.id as job_id, m.id as machine_id, j.created_at, j.kind, j.done, j.age_days, random() as r, random() as r2,
               m.last_seen_at is null as never
        from j cross join machines m)
      insert into assignments (job_id, machine_id, state, attempt, exit_code, reason, output, created_at, updated_at)
      select job_id, machine_id, s.state::assignment_state,
             case when s.state = 'failed' and r2 < 0.2 then 2 else 1 end,
             case when s.state = 'failed' then (array[1, 2, 100, 1603, 1618])[1 + (r2 * 5)::int % 5] when s.state = 'installed' then 0 end,
             case s.state when 'failed' then 'the installer exited with code ' || (array[1, 2, 100, 1603, 1618])[1 + (r2 * 5)::int % 5]
                          when 'skipped' then 'installation conditions not met: less than 2 GiB free on /' end,
             case when s.state = 'failed' then
               E'Selecting previously unselected package.\nPreparing to unpack ...\n' ||
               (select string_agg(md5(machine_id::text || n) || ' dpkg: error processing archive (--unpack)', E'\n') from generate_series(1, 40 + (r2 * 60)::int) n)
             end,
             created_at,
             created_at + least(interval '2 days', now() - created_at) * (case when s.state = 'pending' then 0 else r2 end)
      from x cross join lateral (select case
             when never then 'pending'
             when kind = 'offer' and r < 0.35 then 'offered'
             when r < done * 0.86 then 'installed'
             when r < done * 0.93 then 'failed'
             when r < done * 0.97 then 'skipped'
             when r < done * 0.99 then case when age_days > 5 then 'expired' else 'cancelled' end
             when r < done then 'installed'
             when r < done + (1 - done) * 0.5 then 'pending'
             when r < done + (1 - done) * 0.7 then 'downloading'
             when r < done + (1 - done) * 0.85 then 'ready'
             when r < done + (1 - done) * 0.9 then 'held'
             else 'installing' end as state) s`);
    // The path each assignment took, spread between its creation and its last change.
    await db.query(`
      insert into assignment_events (assignment_id, attempt, state, at, received_at, exit_code, reason, output, source, actor_label)
      select a.id, p.attempt, p.state::assignment_state, t.at, t.at + interval '2 seconds',
             case when p.last then a.exit_code end, case when p.last then a.reason end, case when p.last and p.state = 'failed' then a.output end,
             case when p.state = 'downloading' then 'server' end,
             case when p.state in ('cancelled', 'expired') then 'admin@depot.local' else 'agent' end
      from assignments a
      cross join lateral (
        select s.state, s.n, s.n = s.total as last, a.attempt as attempt, s.total
        from (select u.state, u.n, count(*) over () as total
              from unnest(case a.state
                when 'downloading' then array['downloading']
                when 'ready' then array['downloading', 'ready']
                when 'installing' then array['downloading', 'ready', 'installing']
                when 'installed' then array['downloading', 'ready', 'installing', 'installed']
                when 'failed' then array['downloading', 'ready', 'installing', 'failed']
                when 'skipped' then array['skipped']
                when 'cancelled' then array['cancelled']
                when 'expired' then array['expired']
                else array[]::text[] end) with ordinality u(state, n)) s
        union all
        select 'failed', 0, false, 1, 4 where a.attempt = 2
      ) p
      cross join lateral (select a.created_at + (a.updated_at - a.created_at) * (greatest(p.n, 0.5) / p.total)::float8 as at) t`);
    // What autovacuum would have done shortly after such a load: statistics and the visibility map.
    await db.query(`vacuum (analyze)`);
    const counts = (await db.query<{ machines: number; assignments: number; events: number }>(
      `select (select count(*) from machines)::int as machines, (select count(*) from assignments)::int as assignments, (select count(*) from assignment_events)::int as events`,
    )).rows[0];
    const newestJob = (await db.query<{ id: string }>(`select id from jobs order by created_at desc limit 1`)).rows[0].id;
    const oldestJob = (await db.query<{ id: string }>(`select id from jobs order by created_at asc limit 1`)).rows[0].id;
    const group = (await db.query<{ id: string }>(`select id from machine_groups order by name limit 1`)).rows[0].id;
    return { newestJob, oldestJob, group, ...counts };
  } finally {
    await db.end();
  }
}

export async function benchPages(): Promise<string[]> {
  if (!fs.existsSync(path.join(projectDir, '.next', 'BUILD_ID'))) {
    throw new Error('bench pages measures the production build, and .next is missing: run `npm run build` first.');
  }
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.DATABASE_URL = adminUrl; // startServer makes a fresh database from it
  const server = await startServer();
  const keep = process.env.BENCH_PAGES_KEEP === '1';
  try {
    const seedStarted = performance.now();
    const s = await seed(server.databaseUrl!);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const session = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);

    const targets: UrlTarget[] = [
      { label: 'baseline  GET /api/health (fast path, 1 query)', path: '/api/health', baseline: true },
      { label: 'baseline  GET /signin (Next page, no data)', path: '/signin', baseline: true },
      { label: 'job page  newest job, default', path: `/jobs/${s.newestJob}` },
      { label: 'job page  ?state=failed', path: `/jobs/${s.newestJob}?state=failed` },
      { label: 'job page  ?page=180 (rows 8,951-9,000)', path: `/jobs/${s.newestJob}?page=180` },
      { label: 'job page  oldest job, default', path: `/jobs/${s.oldestJob}` },
      { label: 'JSON      /api/jobs/<newest>', path: `/api/jobs/${s.newestJob}` },
      { label: 'JSON      /api/jobs/<newest>?state=failed&page=3', path: `/api/jobs/${s.newestJob}?state=failed&page=3` },
      { label: 'machines  default', path: '/machines' },
      { label: 'machines  ?state=online', path: '/machines?state=online' },
      { label: 'machines  ?state=failing', path: '/machines?state=failing' },
      { label: 'machines  ?os=Ubuntu', path: '/machines?os=Ubuntu' },
      { label: 'machines  ?group=<Berlin desktops>', path: `/machines?group=${s.group}` },
      { label: 'machines  ?q=lon-lt', path: '/machines?q=lon-lt' },
      { label: 'machines  ?page=150 (rows 7,451-7,500)', path: '/machines?page=150' },
      { label: 'JSON      /api/machines', path: '/api/machines' },
      { label: 'JSON      /api/machines?state=offline&page=40', path: '/api/machines?state=offline&page=40' },
      { label: 'dashboard /dashboard', path: '/dashboard' },
    ];
    const lines = [
      `(P7) admin pages at fleet scale on PostgreSQL: ${s.machines.toLocaleString('en')} machines, ${s.assignments.toLocaleString('en')} assignments, ${s.events.toLocaleString('en')} events (seeded in ${seedSeconds.toFixed(1)} s);`,
      ...(await measureUrls({ baseUrl: server.url, pid: server.pid()!, cookie: session.cookie, targets, requests: REQUESTS, warmup: WARMUP, goalMs: GOAL_MS, who: 'the demo admin' })),
    ];
    if (keep) lines.push(`       kept for EXPLAIN: ${server.databaseUrl}  (newest job ${s.newestJob}, oldest ${s.oldestJob}, group ${s.group})`);
    return lines;
  } finally {
    if (keep) await server.stop();
    else await server.dispose();
  }
}
