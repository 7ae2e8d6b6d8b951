/**
 * The portal catalog at the size the brief names: a user with 20 machines and 1,000 offered
 * packages, in a fleet with other owners and history. Seeds a fresh database (PostgreSQL when
 * DATABASE_URL is set, else PGlite in a temp folder) with set-based SQL, then times listCatalog
 * (median of 15) for the default page, a search, a category and "show rejected", and prints the
 * EXPLAIN ANALYZE of each of its two statements. Run by hand: node --import tsx bench/catalog-explain.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { openDatabase, type Db } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { listCatalog } from '@/lib/portal/list-catalog';
import { rowsOf } from '@/lib/sql';

const USER_MACHINES = 20;
const OFFERS = 1000;
const OTHER_MACHINES = 5000;

async function main() {
  const adminUrl = process.env.DATABASE_URL;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (adminUrl) {
    const name = `depot_catalog_${crypto.randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      const d = new pg.Client({ connectionString: adminUrl });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-catalog-'));
  const database = await openDatabase({ databaseUrl: url, dataDir });
  try {
    await migrateDatabase(database);
    const db = database.db;
    const run = (text: string) => db.execute(sql.raw(text));
    await run(`select setseed(0.3)`);
    await run(`insert into users (email, name, role, password_hash) values ('me@example.com', 'Me', 'user', 'x')`);
    await run(`insert into users (email, name, role, password_hash) select 'o' || g || '@example.com', 'O', 'user', 'x' from generate_series(1, 300) g`);
    await run(`insert into machines (hostname, token_hash, owner_id, time_zone)
      select 'me-' || lpad(g::text, 2, '0'), md5('me' || g), (select id from users where email = 'me@example.com'), 'Europe/Berlin' from generate_series(1, ${USER_MACHINES}) g`);
    await run(`insert into machines (hostname, token_hash, owner_id, time_zone)
      select 'pc-' || lpad(g::text, 5, '0'), md5('pc' || g), (select id from users where email = 'o' || (1 + g % 300) || '@example.com'), 'UTC' from generate_series(1, ${OTHER_MACHINES}) g`);
    await run(`insert into cabinets (name) values ('apps')`);
    await run(`insert into content_blobs (sha256, size) values (repeat('a', 64), 1000000)`);
    await run(`insert into packages (cabinet_id, package_id, version, generation, display_name, installer_kind, manifest, content_sha256, size, file_name, description, category, self_service)
      select (select id from cabinets), 'app-' || g, '1.' || g, 1, 'App ' || md5(g::text), 'script',
             jsonb_build_object('packageId', 'app-' || g, 'displayName', 'App', 'version', '1.0', 'publisher', 'Publisher ' || (g % 40),
                                'installer', jsonb_build_object('kind', 'script', 'install', jsonb_build_array('{file}'), 'uninstall', jsonb_build_array('/bin/true'))),
             repeat('a', 64), 1000000 + g, 'install.sh', 'A useful application number ' || g || ' for everyday work.', (array['Office', 'Graphics', 'Development', 'Security', 'Utilities'])[1 + g % 5], g % 3 = 0
      from generate_series(1, ${OFFERS + 200}) g`);
    // One offer job per package (the first 1,000) to the user's machines and 50 others.
    await run(`insert into jobs (name, kind, package_id, package_label, timing, created_at)
      select 'offer ' || p.package_id, 'offer', p.id, 'apps/' || p.package_id, 'windows', now() - interval '1 day' from packages p where substr(p.package_id, 5)::int <= ${OFFERS}`);
    await run(`insert into assignments (job_id, machine_id, state)
      select j.id, m.id, (case when r < 0.7 then 'offered' when r < 0.8 then 'declined' when r < 0.9 then 'installed' else 'pending' end)::assignment_state
      from jobs j cross join machines m cross join lateral (select random() + 0 * length(j.name) as r) x
      where j.kind = 'offer' and (m.hostname like 'me-%' or m.hostname between 'pc-00001' and 'pc-00050')`);
    // History: 100 mandatory installs to 1,000 other machines each, and to the user's machines.
    await run(`insert into jobs (name, kind, package_id, package_label, timing)
      select 'install ' || p.package_id, 'install', p.id, 'apps/' || p.package_id, 'asap' from packages p where substr(p.package_id, 5)::int > ${OFFERS + 100}`);
    await run(`insert into assignments (job_id, machine_id, state)
      select j.id, m.id, 'installed' from jobs j cross join machines m
      where j.kind = 'install' and (m.hostname like 'me-%' or m.hostname between 'pc-01000' and 'pc-01999')`);
    await run(`analyze`);
    const [{ n }] = rowsOf<{ n: number }>(await run(`select count(*)::int as n from assignments`));
    const [me] = rowsOf<{ id: string }>(await run(`select id from users where email = 'me@example.com'`));
    console.log(`${database.kind}: ${n} assignments; the user has ${USER_MACHINES} machines and ${OFFERS} offered packages`);
    const actor = { id: me.id, email: 'me@example.com', name: 'Me', role: 'user' as const };

    const cases: [string, Record<string, string>][] = [
      ['default page', {}],
      ['search "publisher 7"', { q: 'publisher 7' }],
      ['category Security', { category: 'Security' }],
      ['show rejected, page 10', { showRejected: 'true', page: '10' }],
    ];
    for (const [label, query] of cases) {
      const times: number[] = [];
      let result;
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        result = await listCatalog(db, { actor, query });
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(`${label}: median ${times[7].toFixed(1)} ms, max ${times[14].toFixed(1)} ms (${result!.entries.length} entries of ${result!.total}, ${result!.entries.reduce((s, e) => s + e.machines.length, 0)} machine rows)`);
    }
    // The plans, captured from the operation's own statements.
    const dialect = new PgDialect();
    const explaining = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'execute') return Reflect.get(target, prop, receiver);
        return async (query: SQL) => {
          const { sql: text, params } = dialect.sqlToQuery(query);
          const inlined = text.replace(/\$(\d+)/g, (_, i) => literal(params[Number(i) - 1]));
          const plan = rowsOf<Record<string, string>>(await target.execute(sql.raw(`explain (analyze, buffers) ${inlined}`)));
          console.log(plan.map((r) => Object.values(r)[0]).join('\n'), '\n');
          return target.execute(query);
        };
      },
    }) as Db;
    await listCatalog(explaining, { actor, query: {} });
  } finally {
    await database.close();
    if (process.env.CATALOG_KEEP && url) console.log(`kept: ${url}`);
    else await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

await main();
