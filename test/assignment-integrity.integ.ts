/**
 * assignments.job_id → jobs and assignments.machine_id → machines are kept by statement-level
 * triggers (migration 0013), not foreign keys: these tests hold them to what the foreign keys
 * did, with raw SQL on a migrated database of their own (PostgreSQL when DATABASE_URL is set,
 * else PGlite).
 */
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { rowsOf } from '@/lib/sql';
import { openTestDatabase, type TestDatabase } from './helpers/database';
import { waitForAsync } from './helpers/wait-for';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const JOB = id(1);
const OTHER_JOB = id(2);
const MACHINES = [id(11), id(12), id(13), id(14), id(15), id(16)];
const GHOST = id(99);

let t: TestDatabase;
let db: Db;

/** The SQLSTATE and message a statement failed with (drizzle wraps the driver's error). */
async function failure(statement: SQL): Promise<{ code?: string; message?: string } | null> {
  try {
    await db.execute(statement);
    return null;
  } catch (error) {
    for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
      const { code, message } = e as { code?: string; message?: string };
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return { code, message };
    }
    throw error;
  }
}

const count = async (where: SQL) => rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from assignments where ${where}`))[0].n;
const assign = (jobId: string, machineIds: string[]) =>
  sql`insert into assignments (job_id, machine_id, state) select ${jobId}::uuid, m, 'pending' from unnest(${`{${machineIds.join(',')}}`}::uuid[]) as m`;

beforeAll(async () => {
  t = await openTestDatabase();
  db = t.database.db;
  await db.execute(sql`insert into jobs (id, name, kind, timing) values (${JOB}, 'first', 'install', 'asap'), (${OTHER_JOB}, 'second', 'install', 'asap')`);
  for (const [i, machineId] of MACHINES.entries()) await db.execute(sql`insert into machines (id, hostname, token_hash) values (${machineId}, ${`m-${i}`}, ${`hash-${i}`})`);
});
afterAll(async () => {
  await t?.dispose();
});

describe('assignment integrity', () => {
  it('accepts many assignments in one statement when every job and machine exists', async () => {
    expect(await failure(assign(JOB, MACHINES.slice(0, 3)))).toBeNull();
    expect(await count(sql`job_id = ${JOB}`)).toBe(3);
  });

  it('refuses an assignment to a job that does not exist', async () => {
    expect(await failure(assign(GHOST, [MACHINES[0]]))).toEqual({ code: '23503', message: `insert on table "assignments" refused: job ${GHOST} does not exist` });
    expect(await count(sql`job_id = ${GHOST}`)).toBe(0);
  });

  it('refuses the whole statement when one of its machines does not exist', async () => {
    expect(await failure(assign(OTHER_JOB, [MACHINES[0], GHOST, MACHINES[1]]))).toEqual({ code: '23503', message: `insert on table "assignments" refused: machine ${GHOST} does not exist` });
    expect(await count(sql`job_id = ${OTHER_JOB}`)).toBe(0);
  });

  it('refuses moving an assignment to another job or machine, and allows every other update', async () => {
    const moved = await failure(sql`update assignments set job_id = ${OTHER_JOB} where job_id = ${JOB} and machine_id = ${MACHINES[0]}`);
    expect(moved).toMatchObject({ code: '23000', message: expect.stringMatching(/^update on table "assignments" refused: assignment \S+ belongs to job \S+ and machine \S+ for good/) });
    expect(await failure(sql`update assignments set machine_id = ${MACHINES[5]} where machine_id = ${MACHINES[0]}`)).toMatchObject({ code: '23000' });
    // Naming the columns without changing them is not a move.
    expect(await failure(sql`update assignments set job_id = job_id, machine_id = machine_id, state = 'ready' where machine_id = ${MACHINES[0]}`)).toBeNull();
    expect(await count(sql`job_id = ${JOB} and machine_id = ${MACHINES[0]} and state = 'ready'`)).toBe(1);
  });

  it('refuses a new id for a job or a machine', async () => {
    expect(await failure(sql`update jobs set id = ${GHOST} where id = ${JOB}`)).toMatchObject({ code: '23000', message: `update on table "jobs" refused: id ${JOB} never changes (assignments refer to jobs and machines by id)` });
    expect(await failure(sql`update machines set id = ${GHOST} where id = ${MACHINES[0]}`)).toMatchObject({ code: '23000' });
    expect(await failure(sql`update machines set hostname = 'renamed' where id = ${MACHINES[5]}`)).toBeNull();
  });

  it('refuses to truncate jobs or machines while assignments refer to them', async () => {
    expect(await failure(sql`truncate jobs cascade`)).toMatchObject({ code: '23503', message: 'truncate of table "jobs" refused: assignments refer to it; delete them (or truncate assignments) first' });
    expect(await failure(sql`truncate machines cascade`)).toMatchObject({ code: '23503' });
    expect(await count(sql`true`)).toBe(3);
  });

  it('deleting a machine deletes its assignments and their events, and no one else’s', async () => {
    await db.execute(assign(OTHER_JOB, [MACHINES[2], MACHINES[3]]));
    await db.execute(sql`insert into assignment_events (assignment_id, attempt, state, at) select id, 1, 'pending', now() from assignments where machine_id = ${MACHINES[2]}`);
    await db.execute(sql`delete from machines where id = ${MACHINES[2]}`);
    expect(await count(sql`machine_id = ${MACHINES[2]}`)).toBe(0);
    expect(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from assignment_events`))[0].n).toBe(0);
    expect(await count(sql`machine_id in (${MACHINES[0]}, ${MACHINES[1]}, ${MACHINES[3]})`)).toBe(3);
  });

  it('deleting a job deletes its assignments, and no other job’s', async () => {
    await db.execute(sql`delete from jobs where id = ${OTHER_JOB}`);
    expect(await count(sql`job_id = ${OTHER_JOB}`)).toBe(0);
    expect(await count(sql`job_id = ${JOB}`)).toBe(2);
  });
});

// Two transactions at once need two connections: PGlite has one, so these run on PostgreSQL.
describe.runIf(process.env.DATABASE_URL)('assignment integrity beside a concurrent delete (PostgreSQL)', () => {
  const connect = async () => {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    return client;
  };
  const waitingOnLock = async (watcher: pg.Client, client: pg.Client) => {
    const pid = (client as unknown as { processID: number }).processID;
    await waitForAsync(async () => (await watcher.query('select wait_event_type from pg_stat_activity where pid = $1', [pid])).rows[0]?.wait_event_type === 'Lock');
  };

  it('a machine deleted while an assignment to it is being made waits, then takes that assignment with it', async () => {
    const [inserting, deleting, watcher] = await Promise.all([connect(), connect(), connect()]);
    try {
      await inserting.query('begin');
      await inserting.query(`insert into assignments (job_id, machine_id, state) values ($1, $2, 'pending')`, [JOB, MACHINES[4]]);
      const deleted = deleting.query('delete from machines where id = $1', [MACHINES[4]]);
      await waitingOnLock(watcher, deleting);
      await inserting.query('commit');
      expect((await deleted).rowCount).toBe(1);
      expect(await count(sql`machine_id = ${MACHINES[4]}`)).toBe(0);
    } finally {
      await Promise.all([inserting.end(), deleting.end(), watcher.end()]);
    }
  });

  it('an assignment made while its machine is being deleted waits, then is refused', async () => {
    const [inserting, deleting, watcher] = await Promise.all([connect(), connect(), connect()]);
    try {
      await deleting.query('begin');
      await deleting.query('delete from machines where id = $1', [MACHINES[5]]);
      const inserted = inserting.query(`insert into assignments (job_id, machine_id, state) values ($1, $2, 'pending')`, [JOB, MACHINES[5]]).then(
        () => null,
        (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
      );
      await waitingOnLock(watcher, inserting);
      await deleting.query('commit');
      expect(await inserted).toEqual({ code: '23503', message: `insert on table "assignments" refused: machine ${MACHINES[5]} does not exist` });
      expect(await count(sql`machine_id = ${MACHINES[5]}`)).toBe(0);
    } finally {
      await Promise.all([inserting.end(), deleting.end(), watcher.end()]);
    }
  });
});
