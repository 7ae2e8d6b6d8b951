import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import type { AssignmentState } from '@/db/schema';
import { OUTCOME_TIME } from '@/lib/assignments/outcome-time';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { rowsOf } from '@/lib/sql';

/** The outcomes a job's chart shows: the terminal states of lib/assignments/transitions.ts, in stacking order. */
export const JOB_OUTCOME_STATES = ['installed', 'failed', 'skipped', 'cancelled', 'expired'] as const satisfies readonly AssignmentState[];

/**
 * `e.state in (…)` over JOB_OUTCOME_STATES as a literal, spelled as the partial index
 * assignment_events_outcome_idx spells its predicate: with literals the planner can prove the
 * query stays inside the index on PostgreSQL and PGlite alike, whatever the parameter handling.
 * Built from constants only (no input reaches it).
 */
export const OUTCOME_STATES_IN = `in (${JOB_OUTCOME_STATES.map((s) => `'${s}'`).join(', ')})`;
const eventIsOutcome = sql.raw(`e.state ${OUTCOME_STATES_IN}`);

export type OutcomeCounts = Partial<Record<AssignmentState, number>>;

export interface OutcomeBucket {
  /** ISO instant, inclusive. */
  start: string;
  /** ISO instant, exclusive. */
  end: string;
  /** Every charted state, zero included. */
  counts: OutcomeCounts;
}

/** Bucket k covers [originMs + k·step, originMs + (k+1)·step); a chart shows buckets firstIndex … firstIndex+count-1. */
export interface BucketPlan {
  stepSeconds: number;
  originMs: number;
  firstIndex: number;
  count: number;
}

/** One row of a grouped query: how many events of one state fell into bucket `index`. */
export interface BucketRow {
  index: number;
  state: AssignmentState;
  n: number;
}

export const BUCKET_STEPS_SECONDS = [60, 5 * 60, 15 * 60, 3600, 6 * 3600, 86_400] as const;
export const MAX_BUCKETS = 48;

function bucketIndex(ms: number, originMs: number, stepSeconds: number): number {
  return Math.floor((ms - originMs) / (stepSeconds * 1000));
}

/**
 * The buckets for a chart of events from `first` to `last`: the finest step of
 * BUCKET_STEPS_SECONDS that needs at most MAX_BUCKETS buckets, aligned to the Unix epoch (minutes
 * start at :00, days at midnight UTC, so an event stays in the same bucket as the chart grows).
 * A span past 48 days gets as many whole days per bucket as it takes. `last` is clamped to `now`:
 * a chart never reaches into the future.
 */
export function planBuckets(first: Date, last: Date, now: Date): BucketPlan {
  const from = first.getTime();
  const to = Math.max(from, Math.min(last.getTime(), now.getTime()));
  const fits = (stepSeconds: number) => bucketIndex(to, 0, stepSeconds) - bucketIndex(from, 0, stepSeconds) + 1 <= MAX_BUCKETS;
  let step: number | undefined = BUCKET_STEPS_SECONDS.find(fits);
  if (step === undefined) {
    let days = Math.max(2, Math.ceil((to - from) / (MAX_BUCKETS * 86_400_000)));
    while (!fits(days * 86_400)) days += 1;
    step = days * 86_400;
  }
  const firstIndex = bucketIndex(from, 0, step);
  return { stepSeconds: step, originMs: 0, firstIndex, count: bucketIndex(to, 0, step) - firstIndex + 1 };
}

/**
 * Every bucket of the plan, in order, with zero for the states nothing happened in; rows outside
 * the plan or of other states are left out, so the series covers exactly what it says.
 */
export function fillBuckets(plan: BucketPlan, rows: readonly BucketRow[], states: readonly AssignmentState[]): OutcomeBucket[] {
  const stepMs = plan.stepSeconds * 1000;
  const buckets = Array.from({ length: plan.count }, (_, i) => {
    const start = plan.originMs + (plan.firstIndex + i) * stepMs;
    const counts: OutcomeCounts = Object.fromEntries(states.map((s) => [s, 0]));
    return { start: new Date(start).toISOString(), end: new Date(start + stepMs).toISOString(), counts };
  });
  for (const row of rows) {
    const bucket = buckets[row.index - plan.firstIndex];
    if (bucket && states.includes(row.state)) bucket.counts[row.state] = (bucket.counts[row.state] ?? 0) + row.n;
  }
  return buckets;
}

/** The sum of each state over all buckets. */
export function sumBuckets(buckets: readonly OutcomeBucket[], states: readonly AssignmentState[]): OutcomeCounts {
  return Object.fromEntries(states.map((s) => [s, buckets.reduce((sum, b) => sum + (b.counts[s] ?? 0), 0)]));
}

/** SQL for the bucket index of a time, the same arithmetic as bucketIndex (floor, in milliseconds). */
export function bucketIndexSql(time: SQL, plan: Pick<BucketPlan, 'originMs' | 'stepSeconds'>): SQL {
  return sql`floor((extract(epoch from ${time}) * 1000 - ${plan.originMs}::numeric) / ${plan.stepSeconds * 1000}::numeric)::int`;
}

export interface JobOutcomesOptions {
  actor: Actor | null;
  id: string;
  now: Date;
}

export interface JobOutcomes {
  jobId: string;
  /** Null while nothing has finished. */
  stepSeconds: number | null;
  buckets: OutcomeBucket[];
  totals: OutcomeCounts;
  total: number;
}

/**
 * One job's outcomes over time: its events in a terminal state (every attempt: a failure that was
 * re-run and then installed shows once in each), by OUTCOME_TIME, up to `now`. Two statements,
 * because the step depends on the span: the span (which also finds the job), then the counts
 * grouped by bucket in SQL. Both read the job's assignments through assignments_job_id_state_idx
 * and their outcome events from assignment_events_outcome_idx alone (index-only), so the cost
 * follows the job's size, not the whole event history.
 */
export async function getJobOutcomes(db: Db, { actor, id, now }: JobOutcomesOptions): Promise<JobOutcomes> {
  requirePermission(actor, 'admin.view');
  const until = sql`${now.toISOString()}::timestamptz`;
  const [span] = isUuid(id)
    ? rowsOf<{ n: number; first_ms: number | null; last_ms: number | null }>(
        await db.execute(sql`
          select count(ev.t)::int as n,
                 (extract(epoch from min(ev.t)) * 1000)::float8 as first_ms,
                 (extract(epoch from max(ev.t)) * 1000)::float8 as last_ms
          from jobs j
          left join lateral (
            select ${OUTCOME_TIME} as t
            from assignments a join assignment_events e on e.assignment_id = a.id
            where a.job_id = j.id and ${eventIsOutcome}
          ) ev on ev.t <= ${until}
          where j.id = ${id}
          group by j.id`),
      )
    : [];
  if (!span) throw new AppError('not_found', { message: `No job with id ${id}.` });
  if (span.n === 0 || span.first_ms === null || span.last_ms === null) return { jobId: id, stepSeconds: null, buckets: [], totals: sumBuckets([], JOB_OUTCOME_STATES), total: 0 };

  const plan = planBuckets(new Date(span.first_ms), new Date(span.last_ms), now);
  const rows = rowsOf<BucketRow>(
    await db.execute(sql`
      select ${bucketIndexSql(OUTCOME_TIME, plan)} as "index", e.state, count(*)::int as n
      from assignments a join assignment_events e on e.assignment_id = a.id
      where a.job_id = ${id} and ${eventIsOutcome} and ${OUTCOME_TIME} <= ${until}
      group by 1, 2`),
  );
  const buckets = fillBuckets(plan, rows, JOB_OUTCOME_STATES);
  const totals = sumBuckets(buckets, JOB_OUTCOME_STATES);
  return { jobId: id, stepSeconds: plan.stepSeconds, buckets, totals, total: Object.values(totals).reduce((a, b) => a + (b ?? 0), 0) };
}
