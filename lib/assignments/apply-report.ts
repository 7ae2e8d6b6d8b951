import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignmentEvents, assignments, machines, type AssignmentState } from '@/db/schema';
import { reportRequestSchema, type ReportEvent, type ReportResponse } from '@/lib/contract/agent-api';
import { sanitizeText } from '@/lib/contract/text';
import { isDataError } from '@/lib/db-errors';
import { logUnexpected, parseInput } from '@/lib/errors';
import { reofferAfterOwnUninstall } from './reoffer-after-uninstall';
import { canMove, isTerminal } from './transitions';

type Result = ReportResponse['results'][number];

/**
 * Records a batch of the agent's attempt events. Each event is keyed by (assignment, attempt,
 * state): a replay finds its row and is a no-op; a move the state machine does not allow (a
 * finished assignment backwards, a cancelled one forwards) is refused with the reason. The
 * assignment row is locked while its event is applied, so two copies of one report racing each
 * other still make one row.
 *
 * Each event is applied in its own transaction: one whose data cannot be stored (SQLSTATE class
 * 22 or 23) is refused (with an error id the server's log explains) and the others still apply, so a single bad event never
 * holds back the rest of the batch, nor, through the agent's outbox, every later report.
 */
export async function applyReport(db: Db, { machineId, input, now = new Date() }: { machineId: string; input: unknown; now?: Date }): Promise<ReportResponse> {
  const { events } = parseInput(reportRequestSchema, sanitizeReport(input), 'body');
  const results: Result[] = [];
  for (const event of events) {
    try {
      results.push(
        await db.transaction(async (tx) => {
          const result = await applyOne(tx, machineId, event, now);
          // A finished assignment leaves the plan: a new version lets the agent drop it on its next poll.
          if (result.outcome === 'applied' && isTerminal(result.state as AssignmentState)) {
            await tx.update(machines).set({ planVersion: sql`${machines.planVersion} + 1` }).where(eq(machines.id, machineId));
          }
          return result;
        }),
      );
    } catch (error) {
      // Only the event's data is refused (the agent drops it); a lost connection, a deadlock or a
      // serialization failure is the server's, so the batch fails with a 5xx and is sent again.
      if (!isDataError(error)) throw error;
      const id = crypto.randomUUID().slice(0, 8);
      logUnexpected(id, error);
      results.push({ assignmentId: event.assignmentId, attempt: event.attempt, state: event.state, outcome: 'refused', message: `the server could not record this event (error id ${id})` });
    }
  }
  return { results };
}

/**
 * Installer output is whatever the program printed: NUL and lone surrogates are replaced before
 * validation (they would pass zod and then fail in the database). Only the events' own text
 * fields, one level down, so a hostile body cannot make this walk deep.
 */
function sanitizeReport(input: unknown): unknown {
  if (!isObject(input) || !Array.isArray(input.events)) return input;
  return {
    ...input,
    events: input.events.map((event: unknown) =>
      isObject(event) ? Object.fromEntries(Object.entries(event).map(([k, v]) => [k, typeof v === 'string' ? sanitizeText(v) : v])) : event,
    ),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function applyOne(tx: Db, machineId: string, event: ReportEvent, now: Date): Promise<Result> {
  const key = { assignmentId: event.assignmentId, attempt: event.attempt, state: event.state };
  const refused = (message: string): Result => ({ ...key, outcome: 'refused', message });
  const [row] = await tx
    .select({ state: assignments.state, attempt: assignments.attempt })
    .from(assignments)
    .where(and(eq(assignments.id, event.assignmentId), eq(assignments.machineId, machineId)))
    .for('update');
  if (!row) return refused(`no assignment ${event.assignmentId} for this machine`);

  const [seen] = await tx
    .select({ id: assignmentEvents.id })
    .from(assignmentEvents)
    .where(and(eq(assignmentEvents.assignmentId, event.assignmentId), eq(assignmentEvents.attempt, event.attempt), eq(assignmentEvents.state, event.state)));
  if (seen) return { ...key, outcome: 'duplicate' };

  if (event.attempt !== row.attempt) {
    return refused(`attempt ${event.attempt} is not the current attempt (${row.attempt}) of this assignment`);
  }
  const from = row.state as AssignmentState;
  if (!canMove(from, event.state, 'agent')) {
    return refused(
      isTerminal(from)
        ? `the assignment is already ${from}; reporting ${event.state} would move a finished assignment backwards`
        : `an assignment that is ${from} cannot become ${event.state}`,
    );
  }

  const finished = isTerminal(event.state);
  await tx
    .update(assignments)
    .set({
      state: event.state,
      updatedAt: now,
      // The outcome fields describe the latest attempt's end; a new step clears nothing else.
      ...(finished ? { exitCode: event.exitCode ?? null, reason: event.reason ?? null, output: event.output ?? null } : {}),
    })
    .where(eq(assignments.id, event.assignmentId));
  await tx
    .insert(assignmentEvents)
    .values({
      assignmentId: event.assignmentId,
      attempt: event.attempt,
      state: event.state,
      at: new Date(event.at),
      receivedAt: now,
      exitCode: event.exitCode ?? null,
      reason: event.reason ?? null,
      output: event.output ?? null,
      source: event.source ?? null,
      actorLabel: 'agent',
    })
    .onConflictDoNothing();
  // The user's own removal of a package they chose: its offer may be chosen again.
  if (event.state === 'installed') await reofferAfterOwnUninstall(tx, event.assignmentId);
  return { ...key, outcome: 'applied' };
}

