import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { machines, type JobKind } from '@/db/schema';
import { OUTCOME_TIME } from '@/lib/assignments/outcome-time';
import { OWNED_SINCE } from './owned-since';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { JOB_OUTCOME_STATES, OUTCOME_STATES_IN } from '@/lib/jobs/job-outcomes';
import { rowsOf } from '@/lib/sql';
import { describeOutcome, outputTail, type OutcomeFacts } from './describe-outcome';

const optional = <T extends z.ZodType>(schema: T) =>
  z
    .union([z.literal(''), schema])
    .optional()
    .transform((v) => (v === '' ? undefined : (v as z.output<T> | undefined)));

export const listMyHistoryQuerySchema = z.object({
  machine: optional(z.uuid({ message: 'expected a machine id (a UUID)' })),
  outcome: optional(z.enum(JOB_OUTCOME_STATES, { message: `expected one of ${JOB_OUTCOME_STATES.join(', ')}` })),
  /** Part of the package's or job's name. */
  q: optional(z.string({ message: 'expected text' }).trim().max(200, 'expected at most 200 characters')),
  page: pageParam(),
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 100').max(100, 'expected 1 to 100').default(25),
});
export type ListMyHistoryQuery = { [K in keyof z.input<typeof listMyHistoryQuerySchema>]?: unknown };

/** One attempt's outcome on one of the user's machines. */
export interface HistoryEntry {
  id: number;
  /** ISO: when it happened (the machine's time, clamped as in lib/assignments/outcome-time.ts). */
  at: string;
  assignmentId: string;
  attempt: number;
  outcome: OutcomeFacts['state'];
  machineId: string;
  hostname: string;
  jobKind: JobKind;
  jobName: string;
  what: string;
  exitCode: number | null;
  /** The readable reason: the condition for a skip, the exit code for a failure … */
  summary: string;
  /** A failure's last output lines. */
  outputTail: string[];
}

// Enough of the output for its last lines; the whole (up to 64 KiB) is on the admin's pages.
const OUTPUT_CHARS = 4000;

export interface HistoryScope {
  ownerId: string;
  machineId?: string;
  outcome?: OutcomeFacts['state'];
  q?: string;
  limit: number;
  offset: number;
}

/**
 * The outcome events (installed, failed, skipped, cancelled, expired: every attempt's end) on the
 * owner's machines that are not retired, since they own them, newest first, and how many there are. The owner is in
 * the query itself: no filter can reach another user's rows.
 */
export async function historyOf(db: Db, s: HistoryScope): Promise<{ entries: HistoryEntry[]; total: number }> {
  // Only since the owner got the machine: a previous owner's activity is theirs, not the new owner's.
  const where: SQL[] = [sql`m.owner_id = ${s.ownerId}`, sql`m.retired_at is null`, sql.raw(`e.state ${OUTCOME_STATES_IN}`), sql`${OUTCOME_TIME} >= ${OWNED_SINCE}`];
  if (s.machineId) where.push(sql`m.id = ${s.machineId}`);
  if (s.outcome) where.push(sql`e.state = ${s.outcome}::assignment_state`);
  if (s.q) {
    const like = `%${s.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(p.display_name ilike ${like} or j.name ilike ${like} or j.package_label ilike ${like})`);
  }
  const from = sql`
    from assignment_events e
    join assignments a on a.id = e.assignment_id
    join machines m on m.id = a.machine_id
    join jobs j on j.id = a.job_id
    left join packages p on p.id = j.package_id
    where ${sql.join(where, sql` and `)}`;
  const [rows, count] = await Promise.all([
    db.execute(sql`
      select e.id, ${OUTCOME_TIME} as at, e.assignment_id, e.attempt, e.state, e.exit_code, e.reason, right(e.output, ${OUTPUT_CHARS}) as output,
             m.id as machine_id, m.hostname, j.kind as job_kind, j.name as job_name, j.package_label, p.display_name, p.version
      ${from}
      order by 2 desc, e.id desc
      limit ${s.limit} offset ${s.offset}`),
    db.execute(sql`select count(*)::int as total ${from}`),
  ]);
  type Row = {
    id: number | string;
    at: Date | string;
    assignment_id: string;
    attempt: number;
    state: OutcomeFacts['state'];
    exit_code: number | null;
    reason: string | null;
    output: string | null;
    machine_id: string;
    hostname: string;
    job_kind: JobKind;
    job_name: string;
    package_label: string;
    display_name: string | null;
    version: string | null;
  };
  const entries = rowsOf<Row>(rows).map((r): HistoryEntry => {
    const facts: OutcomeFacts = { state: r.state, jobKind: r.job_kind, exitCode: r.exit_code, reason: r.reason, output: r.output };
    return {
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      assignmentId: r.assignment_id,
      attempt: r.attempt,
      outcome: r.state,
      machineId: r.machine_id,
      hostname: r.hostname,
      jobKind: r.job_kind,
      jobName: r.job_name,
      what: r.display_name ? `${r.display_name} ${r.version}` : r.package_label || r.job_name,
      exitCode: r.exit_code,
      summary: describeOutcome(facts),
      outputTail: r.state === 'failed' ? outputTail(r.output) : [],
    };
  });
  return { entries, total: Number(rowsOf<{ total: number }>(count)[0]?.total ?? 0) };
}

/**
 * The portal's history page and GET /api/portal/history: every attempt on the user's own
 * machines, newest first, filtered by machine, outcome and name, one page at a time, with the
 * machines to filter by.
 */
export async function listMyHistory(db: Db, { actor, query = {} }: { actor: Actor | null; query?: ListMyHistoryQuery }) {
  const user = requirePermission(actor, 'portal.use');
  const q = parseInput(listMyHistoryQuerySchema, query, 'query');
  const [{ entries, total }, owned] = await Promise.all([
    historyOf(db, { ownerId: user.id, machineId: q.machine, outcome: q.outcome, q: q.q, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }),
    db
      .select({ id: machines.id, hostname: machines.hostname })
      .from(machines)
      .where(and(eq(machines.ownerId, user.id), isNull(machines.retiredAt)))
      .orderBy(asc(machines.hostname)),
  ]);
  return { entries, total, page: q.page, pageSize: q.pageSize, filters: { machine: q.machine, outcome: q.outcome, q: q.q }, machines: owned };
}
