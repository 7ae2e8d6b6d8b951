import { and, count, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, jobs, machines, type AssignmentState } from '@/db/schema';
import { OUTCOME_TIME } from '@/lib/assignments/outcome-time';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { bucketIndexSql, fillBuckets, sumBuckets, type BucketPlan, type BucketRow, type OutcomeBucket, type OutcomeCounts } from '@/lib/jobs/job-outcomes';
import { ONLINE_WITHIN_MS } from '@/lib/machines/list-machines';
import { pgArray, rowsOf } from '@/lib/sql';

/** The outcomes of an install the dashboard counts, in stacking order. */
export const INSTALL_OUTCOME_STATES = ['installed', 'failed', 'skipped'] as const satisfies readonly AssignmentState[];
export const FAILURES_LISTED = 10;
const HOUR_MS = 3_600_000;
const HOURS = 24;

export interface FleetHealthOptions {
  actor: Actor | null;
  now: Date;
}

export interface FailureNeedingALook {
  assignmentId: string;
  attempt: number;
  machineId: string;
  hostname: string;
  jobId: string;
  jobName: string;
  exitCode: number | null;
  reason: string | null;
  /** When the server recorded the failure. */
  failedAt: string;
}

export interface FleetHealth {
  now: string;
  /** Machines that are not retired; online by the rule of isOnline (seen within ONLINE_WITHIN_MS). */
  machines: { total: number; online: number; offline: number; neverSeen: number };
  /** Install outcomes in [since, now), in 24 one-hour buckets that end at now. */
  installs: { since: string; totals: OutcomeCounts; total: number; buckets: OutcomeBucket[] };
  /** Assignments whose latest attempt failed, newest first. */
  failures: { total: number; latest: FailureNeedingALook[] };
}

/**
 * Fleet health for the dashboard, in four set-based statements run side by side:
 *
 * - machines: one pass over the machines that are not retired (a few thousand rows; no index
 *   helps a count of nearly all of them);
 * - installs: the events of install and offer jobs that ended as installed, failed or skipped,
 *   by OUTCOME_TIME, grouped into hours in SQL. Every attempt counts (a failure that was re-run
 *   and then installed counts once each). Uninstall and inventory jobs are left out: their
 *   "installed" means removed or done, not installed. The time filter range-scans
 *   assignment_events_received_at_idx (see OUTCOME_TIME);
 * - failures needing a look: assignments in state failed, which is the state of their latest
 *   attempt (a re-run moves them to pending, so they drop out), on machines that are not
 *   retired, of jobs that are not cancelled (nothing can be re-run there); the newest ten and
 *   how many there are.
 */
export async function getFleetHealth(db: Db, { actor, now }: FleetHealthOptions): Promise<FleetHealth> {
  requirePermission(actor, 'admin.view');
  const since = new Date(now.getTime() - HOURS * HOUR_MS);
  const onlineAfter = new Date(now.getTime() - ONLINE_WITHIN_MS);
  const plan: BucketPlan = { stepSeconds: HOUR_MS / 1000, originMs: since.getTime(), firstIndex: 0, count: HOURS };
  // A literal state, so the planner can use the partial index on failed assignments.
  const needsALook = and(sql`${assignments.state} = 'failed'`, isNull(machines.retiredAt), ne(jobs.state, 'cancelled'));
  const sinceSql = sql`${since.toISOString()}::timestamptz`;

  const [[fleet], outcomeRows, latest, [{ failures }]] = await Promise.all([
    db
      .select({
        total: count(),
        online: sql<number>`count(*) filter (where ${machines.lastSeenAt} > ${onlineAfter.toISOString()}::timestamptz)`.mapWith(Number),
        neverSeen: sql<number>`count(*) filter (where ${machines.lastSeenAt} is null)`.mapWith(Number),
      })
      .from(machines)
      .where(isNull(machines.retiredAt)),
    db
      .execute(
        sql`
        select ${bucketIndexSql(sql.raw('x.t'), plan)} as "index", x.state, count(*)::int as n
        from (
          select e.state, ${OUTCOME_TIME} as t
          from assignment_events e
          join assignments a on a.id = e.assignment_id
          join jobs j on j.id = a.job_id
          where e.received_at >= ${sinceSql}
            and e.state = any(${pgArray(INSTALL_OUTCOME_STATES)}::assignment_state[])
            and j.kind in ('install', 'offer')
        ) x
        where x.t >= ${sinceSql} and x.t < ${now.toISOString()}::timestamptz
        group by 1, 2`,
      )
      .then((result) => rowsOf<BucketRow>(result)),
    db
      .select({
        assignmentId: assignments.id,
        attempt: assignments.attempt,
        machineId: machines.id,
        hostname: machines.hostname,
        jobId: jobs.id,
        jobName: jobs.name,
        exitCode: assignments.exitCode,
        reason: assignments.reason,
        failedAt: assignments.updatedAt,
      })
      .from(assignments)
      .innerJoin(machines, eq(machines.id, assignments.machineId))
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .where(needsALook)
      .orderBy(desc(assignments.updatedAt), desc(assignments.id))
      .limit(FAILURES_LISTED),
    db
      .select({ failures: count() })
      .from(assignments)
      .innerJoin(machines, eq(machines.id, assignments.machineId))
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .where(needsALook),
  ]);

  const buckets = fillBuckets(plan, outcomeRows, INSTALL_OUTCOME_STATES);
  const totals = sumBuckets(buckets, INSTALL_OUTCOME_STATES);
  const seen = fleet.total - fleet.neverSeen;
  return {
    now: now.toISOString(),
    machines: { total: fleet.total, online: fleet.online, offline: seen - fleet.online, neverSeen: fleet.neverSeen },
    installs: { since: since.toISOString(), totals, total: Object.values(totals).reduce((a, b) => a + (b ?? 0), 0), buckets },
    failures: { total: failures, latest: latest.map((f) => ({ ...f, failedAt: f.failedAt.toISOString() })) },
  };
}
