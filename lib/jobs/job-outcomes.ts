import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { jobs, type AssignmentState } from '@/db/schema';
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

/** One group of the first statement: how many events of one state fell into group `index`, and when the first and last did. */
export interface OutcomeGroupRow extends BucketRow {
  first_ms: number;
  last_ms: number;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * How finely getJobOutcomes first groups a job's outcomes: by minute, hour or day, as the job's
 * age allows. Every chart step is a whole number of minutes, every step from an hour up a whole
 * number of hours, every step from a day up a whole number of days, and all are aligned to the
 * epoch; so when the step the span calls for is a multiple of the grouping, the groups add up to
 * the chart's buckets exactly and no second statement is needed. Outcomes happen between the
 * job's creation and now (OUTCOME_TIME), so the age also bounds the groups a state can have:
 * 720 minutes, 1,152 hours, or one a day.
 */
export function outcomeGroupingSeconds(createdAt: Date, now: Date): number {
  const ageMs = now.getTime() - createdAt.getTime();
  if (ageMs <= 12 * HOUR * 1000) return MINUTE;
  if (ageMs <= 48 * DAY * 1000) return HOUR;
  return DAY;
}

/** Groups of `groupingSeconds` as rows of the plan's buckets; only when the plan's step is a multiple of the grouping. */
export function regroupOutcomes(groups: readonly BucketRow[], groupingSeconds: number, plan: Pick<BucketPlan, 'originMs' | 'stepSeconds'>): BucketRow[] {
  const per = plan.stepSeconds / groupingSeconds;
  if (plan.originMs !== 0 || !Number.isInteger(per)) throw new Error(`a step of ${plan.stepSeconds} s is not a whole number of ${groupingSeconds} s groups from the epoch`);
  return groups.map((g) => ({ index: Math.floor(g.index / per), state: g.state, n: g.n }));
}

/**
 * One job's outcomes over time: its events in a terminal state (every attempt: a failure that was
 * re-run and then installed shows once in each), by OUTCOME_TIME, up to `now`. The step depends on
 * the span, so the events are first grouped by minute, hour or day (outcomeGroupingSeconds) with
 * the first and last time of each group; the span comes from those, and the groups add up to the
 * buckets whenever the step is a multiple of the grouping. Only when the step is finer (an older
 * job whose outcomes all came within a short time) does a second statement group by the step.
 * Measured at 10,000 machines (bench/pages.ts): one such statement is 14-33 ms of PostgreSQL's CPU,
 * and a job page used to run two. They read the job's assignments through
 * assignments_job_id_state_idx and their outcome events from assignment_events_outcome_idx alone
 * (index-only).
 */
export async function getJobOutcomes(db: Db, { actor, id, now }: JobOutcomesOptions): Promise<JobOutcomes> {
  requirePermission(actor, 'admin.view');
  const [job] = isUuid(id) ? await db.select({ createdAt: jobs.createdAt }).from(jobs).where(eq(jobs.id, id)) : [];
  if (!job) throw new AppError('not_found', { message: `No job with id ${id}.` });
  const until = sql`${now.toISOString()}::timestamptz`;
  const grouped = (plan: Pick<BucketPlan, 'originMs' | 'stepSeconds'>, span: SQL) => sql`
      select ${bucketIndexSql(OUTCOME_TIME, plan)} as "index", e.state, count(*)::int as n ${span}
      from assignments a join assignment_events e on e.assignment_id = a.id
      where a.job_id = ${id} and ${eventIsOutcome} and ${OUTCOME_TIME} <= ${until}
      group by 1, 2`;
  const grouping = { originMs: 0, stepSeconds: outcomeGroupingSeconds(job.createdAt, now) };
  const groups = rowsOf<OutcomeGroupRow>(
    await db.execute(
      grouped(grouping, sql`, (extract(epoch from min(${OUTCOME_TIME})) * 1000)::float8 as first_ms, (extract(epoch from max(${OUTCOME_TIME})) * 1000)::float8 as last_ms`),
    ),
  );
  if (groups.length === 0) return { jobId: id, stepSeconds: null, buckets: [], totals: sumBuckets([], JOB_OUTCOME_STATES), total: 0 };

  const first = groups.reduce((min, g) => Math.min(min, g.first_ms), Infinity);
  const last = groups.reduce((max, g) => Math.max(max, g.last_ms), -Infinity);
  const plan = planBuckets(new Date(first), new Date(last), now);
  const rows =
    plan.stepSeconds % grouping.stepSeconds === 0 ? regroupOutcomes(groups, grouping.stepSeconds, plan) : rowsOf<BucketRow>(await db.execute(grouped(plan, sql``)));
  const buckets = fillBuckets(plan, rows, JOB_OUTCOME_STATES);
  const totals = sumBuckets(buckets, JOB_OUTCOME_STATES);
  return { jobId: id, stepSeconds: plan.stepSeconds, buckets, totals, total: Object.values(totals).reduce((a, b) => a + (b ?? 0), 0) };
}
