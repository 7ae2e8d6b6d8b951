import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { isDataError } from './db-errors';

const client = new PGlite();
const db = drizzle(client);
afterAll(() => client.close());

/** The error a query throws through drizzle, as applyReport sees it. */
async function failure(query: ReturnType<typeof sql>): Promise<unknown> {
  try {
    await db.execute(query);
  } catch (error) {
    return error;
  }
  throw new Error('the query did not fail');
}

describe('isDataError', () => {
  it('is true for a data exception or a constraint violation, through drizzle on PGlite', async () => {
    expect(isDataError(await failure(sql`select 2147483648::int4`))).toBe(true); // 22003
    expect(isDataError(await failure(sql`select 1/0`))).toBe(true); // 22012
    await db.execute(sql`create table t (id int primary key)`);
    await db.execute(sql`insert into t values (1)`);
    expect(isDataError(await failure(sql`insert into t values (1)`))).toBe(true); // 23505
  }, 60_000); // PGlite's first start takes seconds on a busy machine

  it('is false for what a retry may cure or the server got wrong: a lost connection, a deadlock, a serialization failure, a missing table', async () => {
    expect(isDataError(await failure(sql`select * from no_such_table`))).toBe(false); // 42P01
    // pg's shapes: a DatabaseError with its SQLSTATE in code, or a socket error with a Node code.
    expect(isDataError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
    expect(isDataError(new Error('query failed', { cause: Object.assign(new Error('could not serialize access'), { code: '40001' }) }))).toBe(false);
    expect(isDataError(new Error('query failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }))).toBe(false);
    expect(isDataError(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isDataError(new Error('query failed', { cause: Object.assign(new Error('value too long'), { code: '22001' }) }))).toBe(true);
  });
});
