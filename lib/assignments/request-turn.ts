import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignmentEvents, assignments, jobs, packages } from '@/db/schema';
import { turnRequestSchema, type TurnResponse } from '@/lib/contract/agent-api';
import { parseInput } from '@/lib/errors';
import { canMove } from './transitions';

/** How long a machine that got a turn may hold it past its installer's timeout before it counts as gone. */
const GRACE_SECONDS = 5 * 60;
/** When to ask again while every turn is taken: 30-90 s at random, so refused machines do not all come back together. */
const retrySeconds = () => 30 + Math.floor(Math.random() * 61);

/**
 * Hands out the turns of a job with a cap on concurrent installs. The job row is locked, so two
 * machines asking at once are counted one after the other; a granted turn is the move to
 * `installing` (with its event), so the count is the rows themselves. A machine that took a turn
 * and vanished stops counting once its installer's timeout plus a grace period has passed.
 */
export async function requestTurn(db: Db, { machineId, input, now = new Date() }: { machineId: string; input: unknown; now?: Date }): Promise<TurnResponse> {
  const { assignmentId, attempt } = parseInput(turnRequestSchema, input, 'body');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ state: assignments.state, attempt: assignments.attempt, jobId: assignments.jobId })
      .from(assignments)
      .where(and(eq(assignments.id, assignmentId), eq(assignments.machineId, machineId)));
    if (!row) return refuse(`no assignment ${assignmentId} for this machine`);
    // Skip locked: while another machine's request holds the job, answer "ask again" at once
    // instead of queueing a database connection behind it (a fleet asking at 22:00 sharp).
    const [job] = await tx
      .select({ kind: jobs.kind, maxConcurrent: jobs.maxConcurrent, expiresAt: packages.expiresAt, timeoutSeconds: sql<number | null>`(${packages.manifest} -> 'installer' ->> 'timeoutSeconds')::int` })
      .from(jobs)
      .leftJoin(packages, eq(packages.id, jobs.packageId))
      .where(eq(jobs.id, row.jobId))
      .for('update', { of: jobs, skipLocked: true });
    if (!job) return { granted: false, retryAfterSeconds: retrySeconds(), message: 'another machine is asking for a turn of this job; ask again shortly' };
    // Locked now: read the assignment again, it may have moved while we waited for the job.
    const [current] = await tx.select({ state: assignments.state, attempt: assignments.attempt }).from(assignments).where(eq(assignments.id, assignmentId)).for('update');
    if (current.attempt !== attempt) return refuse(`attempt ${attempt} is not the current attempt (${current.attempt}) of this assignment`);
    if (current.state === 'installing') return { granted: true, retryAfterSeconds: null, message: 'this attempt already has its turn' };
    if (!canMove(current.state, 'installing', 'agent')) return refuse(`the assignment is ${current.state}; it may not start`);
    if ((job.kind === 'install' || job.kind === 'offer') && job.expiresAt && job.expiresAt <= now) return refuse(`the package expired on ${job.expiresAt.toISOString()}; it may not start`);

    if (job.maxConcurrent !== null) {
      const since = new Date(now.getTime() - ((job.timeoutSeconds ?? 3600) + GRACE_SECONDS) * 1000);
      const [{ busy }] = await tx
        .select({ busy: sql<number>`count(*)::int` })
        .from(assignments)
        .where(and(eq(assignments.jobId, row.jobId), eq(assignments.state, 'installing'), gt(assignments.updatedAt, since)));
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
