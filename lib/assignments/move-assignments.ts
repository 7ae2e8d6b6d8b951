import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignmentEvents, assignments, machines, type AssignmentState } from '@/db/schema';
import { pgArray, rowsOf } from '@/lib/sql';
import { statesFrom, type Mover } from './transitions';

export interface MoveOptions {
  /** Which assignments: those of a job, of a machine, or matching a condition (at least one). */
  jobId?: string;
  machineId?: string;
  /** A condition on the assignments row (alias-free columns: job_id, machine_id, state …). */
  where?: SQL;
  to: AssignmentState;
  by: Mover;
  /** Only assignments in these states (default: every state `by` may move to `to` from). */
  from?: AssignmentState[];
  /** Start a new attempt (re-run, resume), so the agent's reports of it get fresh keys. */
  newAttempt?: boolean;
  actorLabel: string;
  /** Why, kept on the assignment and its event ("the machine was retired"). */
  reason?: string;
}

/**
 * Moves assignments (of a job, a machine, or matching a condition) in one statement: the update, their events and the plan-version bump
 * of exactly the machines concerned, never a loop from Node. The allowed source states come from
 * the transition table, so this writer cannot make a move the design does not allow.
 */
export async function moveAssignments(tx: Db, o: MoveOptions): Promise<number> {
  const allowed = statesFrom(o.to, o.by);
  const from = (o.from ?? allowed).filter((s) => allowed.includes(s));
  if (from.length === 0) return 0;
  const scope: SQL[] = [];
  if (o.jobId) scope.push(sql`job_id = ${o.jobId}`);
  if (o.machineId) scope.push(sql`machine_id = ${o.machineId}`);
  if (o.where) scope.push(o.where);
  // Never an unscoped update of every assignment by mistake.
  if (scope.length === 0) throw new Error('moveAssignments needs a jobId, a machineId or a condition');
  const reason = o.reason ?? null;
  const result = await tx.execute<{ n: number }>(sql`
    with moved as (
      update ${assignments}
      set state = ${o.to}::assignment_state,
          attempt = attempt + ${o.newAttempt ? 1 : 0},
          updated_at = now(),
          exit_code = case when ${o.newAttempt ?? false} then null else exit_code end,
          reason = case when ${reason}::text is not null then ${reason}::text when ${o.newAttempt ?? false} then null else reason end,
          output = case when ${o.newAttempt ?? false} then null else output end
      where ${sql.join(scope, sql` and `)} and state = any(${pgArray(from)}::assignment_state[])
      returning id, machine_id, attempt
    ),
    logged as (
      insert into ${assignmentEvents} (assignment_id, attempt, state, at, reason, actor_label)
      select id, attempt, ${o.to}::assignment_state, now(), ${reason}::text, ${o.actorLabel} from moved
      on conflict do nothing
    ),
    bumped as (
      update ${machines} set plan_version = plan_version + 1
      where id in (select machine_id from moved)
    )
    select count(*)::int as n from moved`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}
