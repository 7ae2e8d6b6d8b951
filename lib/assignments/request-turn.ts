import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignmentEvents, assignments, jobs, packages } from '@/db/schema';
import { turnRequestSchema, type TurnResponse } from '@/lib/contract/agent-api';
import { parseInput } from '@/lib/errors';
import { planTiming } from '@/lib/machines/plan-timing';
import { canMove } from './transitions';

/** How long a machine that got a turn may hold it past its installer's timeout before it counts as gone. */
const GRACE_SECONDS = 5 * 60;
/** When to ask again while every turn is taken: 30-90 s at random, so refused machines do not all come back together. */
const retrySeconds = () => 30 + Math.floor(Math.random() * 61);

/**
 * The server's word on whether an installer may start now (the plan's `askTurn` assignments).
 * A granted turn is the move to `installing` (with its event), made under the assignment's row
 * lock, the same lock every portal choice on it takes (change my mind, defer, install now): so a
 * choice made while the agent got ready either commits first and the turn is refused, or comes
 * after and is refused as too late, never both accepted. For a job with a cap the job row is
 * locked first (lock order: job, assignment, machine; see lib/portal/assignment-choice.ts), so two
 * machines asking at once are counted one after the other, and a machine that took a turn and
 * vanished stops counting once its installer's timeout plus a grace period has passed. Other jobs
 * leave the job row alone: a fleet starting at 22:00 does not queue on one row.
 */
export async function requestTurn(db: Db, { machineId, input, now = new Date() }: { machineId: string; input: unknown; now?: Date }): Promise<TurnResponse> {
  const { assignmentId, attempt } = parseInput(turnRequestSchema, input, 'body');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ jobId: assignments.jobId, maxConcurrent: jobs.maxConcurrent })
      .from(assignments)
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .where(and(eq(assignments.id, assignmentId), eq(assignments.machineId, machineId)));
    if (!row) return refuse(`no assignment ${assignmentId} for this machine`);
    if (row.maxConcurrent !== null) {
      // Skip locked: while another machine's request holds the job, answer "ask again" at once
      // instead of queueing a database connection behind it (a fleet asking at 22:00 sharp).
      const [held] = await tx.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, row.jobId)).for('update', { skipLocked: true });
      if (!held) return { granted: false, retryAfterSeconds: retrySeconds(), message: 'another machine is asking for a turn of this job; ask again shortly' };
    }
    // Locked now: the assignment as it is after any choice that got here first.
    const [current] = await tx
      .select({ assignment: assignments, job: jobs, expiresAt: packages.expiresAt, timeoutSeconds: sql<number | null>`(${packages.manifest} -> 'installer' ->> 'timeoutSeconds')::int` })
      .from(assignments)
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .leftJoin(packages, eq(packages.id, jobs.packageId))
      .where(eq(assignments.id, assignmentId))
      .for('update', { of: assignments });
    const { assignment, job } = current;
    if (assignment.attempt !== attempt) return refuse(`attempt ${attempt} is not the current attempt (${assignment.attempt}) of this assignment`);
    if (assignment.state === 'installing') return { granted: true, retryAfterSeconds: null, message: 'this attempt already has its turn' };
    if (!canMove(assignment.state, 'installing', 'agent')) return refuse(`the assignment is ${assignment.state}; it may not start`);
    if ((job.kind === 'install' || job.kind === 'offer') && current.expiresAt && current.expiresAt <= now) return refuse(`the package expired on ${current.expiresAt.toISOString()}; it may not start`);
    // Deferred since the agent's plan: not before the new time, which the next plan carries.
    const notBefore = planTiming(job, assignment).notBefore;
    if (notBefore && Date.parse(notBefore) > now.getTime()) return refuse(`deferred: not before ${notBefore}; the next plan has its new time`);

    if (job.maxConcurrent !== null) {
      const since = new Date(now.getTime() - ((current.timeoutSeconds ?? 3600) + GRACE_SECONDS) * 1000);
      const [{ busy }] = await tx
        .select({ busy: sql<number>`count(*)::int` })
        .from(assignments)
        .where(and(eq(assignments.jobId, job.id), eq(assignments.state, 'installing'), gt(assignments.updatedAt, since)));
      if (Number(busy) >= job.maxConcurrent) {
        return { granted: false, retryAfterSeconds: retrySeconds(), message: `${busy} of ${job.maxConcurrent} machines allowed at once are installing this job; waiting for a turn` };
      }
    }
    await tx.update(assignments).set({ state: 'installing', updatedAt: now }).where(eq(assignments.id, assignmentId));
    await tx.insert(assignmentEvents).values({ assignmentId, attempt, state: 'installing', at: now, receivedAt: now, reason: 'turn granted', actorLabel: 'agent' }).onConflictDoNothing();
    return { granted: true, retryAfterSeconds: null, message: 'turn granted' };
  });
}

function refuse(message: string): TurnResponse {
  return { granted: false, retryAfterSeconds: null, message };
}
