/**
 * (P2) Fan-out of one job to 100,000 machines on PostgreSQL: the time from the request until
 * every assignment is committed and each machine's next poll sees a new plan version (both in
 * the one transaction createJob runs), through lib/jobs/create-job, beside a row-at-a-time
 * baseline (an INSERT and a plan-version UPDATE per machine from Node, in one transaction) in
 * the same run on the same database. The baseline runs on a slice and is reported per row.
 *
 * The clock runs around the whole createJob call, commit included. After it stops, the bench
 * checks what it claims: a sample of machines, looked up the way their poll does (resolveMachine,
 * by token hash), sees the new plan version, and every machine has exactly one assignment and one
 * bump.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import type { Actor } from '../lib/auth/permissions';
import { createJob } from '../lib/jobs/create-job';
import { resolveMachine } from '../lib/machines/resolve-machine';
import { rowsOf } from '../lib/sql';

const MACHINES = Number(process.env.BENCH_FANOUT_MACHINES ?? 100_000);
const BASELINE = Number(process.env.BENCH_FANOUT_BASELINE ?? 5_000);

export async function benchFanOut(): Promise<string[]> {
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `depot_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '/tmp' });
  try {
    await migrateDatabase(database);
    const db = database.db;
    await db.execute(sql`insert into users (id, email, name, role, password_hash) values ('00000000-0000-4000-8000-0000000000aa', 'bench@depot.test', 'Bench', 'admin', 'x')`);
    const actor: Actor = { id: '00000000-0000-4000-8000-0000000000aa', email: 'bench@depot.test', name: 'Bench', role: 'admin' };
    await db.execute(sql`insert into cabinets (id, name) values ('00000000-0000-4000-8000-0000000000bb', 'bench')`);
    await db.execute(sql`insert into content_blobs (sha256, size) values (${'a'.repeat(64)}, 1)`);
    const manifest = { packageId: 'bench', displayName: 'Bench', version: '1', installer: { kind: 'script', install: ['{file}'], successExitCodes: [0], timeoutSeconds: 60, reboot: 'never' }, conditions: {}, detection: { kind: 'none' } };
    await db.execute(sql`insert into packages (id, cabinet_id, package_id, version, generation, display_name, installer_kind, manifest, content_sha256, size, file_name)
      values ('00000000-0000-4000-8000-0000000000cc', '00000000-0000-4000-8000-0000000000bb', 'bench', '1', 1, 'Bench', 'script', ${JSON.stringify(manifest)}::jsonb, ${'a'.repeat(64)}, 1, 'bench.sh')`);
    // Tokens the bench knows, so it can poll-look-up machines as their agents would.
    const token = (g: number) => `dpm_bench-machine-token-${g}`;
    await db.execute(sql`insert into machines (hostname, token_hash) select 'm-' || g, encode(sha256(convert_to('dpm_bench-machine-token-' || g, 'UTF8')), 'hex') from generate_series(1, ${MACHINES}) g`);
    await db.execute(sql`analyze`);
    const ids = rowsOf<{ id: string }>(await db.execute(sql`select id from machines order by hostname`)).map((r) => r.id);

    const sample = Array.from({ length: 200 }, (_, i) => 1 + Math.floor((i * MACHINES) / 200));
    const polled = async () => {
      const versions: (number | undefined)[] = [];
      for (const g of sample) versions.push((await resolveMachine(db, `Bearer ${token(g)}`))?.planVersion);
      return versions;
    };
    const before = await polled();
    const t = performance.now();
    const { job, assignments } = await createJob(db, { actor, input: { kind: 'install', packageId: '00000000-0000-4000-8000-0000000000cc', machineIds: ids, timing: 'asap' } });
    const setBased = performance.now() - t;
    const after = await polled();
    const missed = sample.filter((_, i) => before[i] === undefined || after[i] !== before[i]! + 1);
    if (missed.length) throw new Error(`fan-out incomplete: the poll of ${missed.length} of ${sample.length} sampled machines does not see a new plan version`);
    const [check] = rowsOf<{ made: number; machines: number; bumped: number }>(
      await db.execute(sql`select (select count(distinct machine_id) from assignments where job_id = ${job.id})::int as made, (select count(*) from machines)::int as machines, (select count(*) from machines where plan_version = 2)::int as bumped`),
    );
    if (assignments !== MACHINES || check.made !== MACHINES || check.bumped !== check.machines) throw new Error(`fan-out incomplete: ${JSON.stringify({ assignments, ...check })}`);

    // Baseline: the loop the design forbids, on a slice, with one job row made the same way.
    const [{ id: jobId }] = rowsOf<{ id: string }>(await db.execute(sql`insert into jobs (name, kind, package_id, timing) values ('baseline', 'install', '00000000-0000-4000-8000-0000000000cc', 'asap') returning id`));
    const slice = ids.slice(0, BASELINE);
    const t2 = performance.now();
    await db.transaction(async (tx) => {
      for (const id of slice) {
        await tx.execute(sql`insert into assignments (job_id, machine_id, state) values (${jobId}, ${id}, 'pending')`);
        await tx.execute(sql`update machines set plan_version = plan_version + 1 where id = ${id}`);
      }
    });
    const perRow = (performance.now() - t2) / BASELINE;
    return [
      `(P2) fan-out of one job to ${MACHINES.toLocaleString('en')} machines on PostgreSQL (committed, every plan version bumped):`,
      `  set-based createJob       ${(setBased / 1000).toFixed(2)} s   (goal ≤ 2 s)`,
      `  row-at-a-time baseline    ${(perRow * 1000).toFixed(0)} µs per machine over ${BASELINE.toLocaleString('en')} → ${((perRow * MACHINES) / 1000).toFixed(1)} s for ${MACHINES.toLocaleString('en')} (${((perRow * MACHINES) / setBased).toFixed(0)}× slower)`,
    ];
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
