import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { actorLabel } from '@/lib/audit/actor-label';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Actor } from '@/lib/auth/permissions';
import { loadOwnedAssignment, type OwnedAssignment } from './load-owned-assignment';

export interface AssignmentChoiceOptions {
  actor: Actor | null;
  machineId: string;
  assignmentId: string;
  now?: Date;
}

export interface ChoiceChange<T> {
  result: T;
  /** What the audit row records; omitted when nothing changed (a repeated "install now"). */
  audit?: { before: Record<string, unknown>; after: Record<string, unknown> };
}

/**
 * The frame every end-user choice on one assignment shares (like jobAction for admins): the
 * user's own machine and the assignment row locked (404 otherwise), the operation's own checks
 * and change, and the audit row, in one transaction.
 */
export async function assignmentChoice<T>(db: Db, { actor, machineId, assignmentId }: AssignmentChoiceOptions, action: string, change: (tx: Db, owned: OwnedAssignment, by: string) => Promise<ChoiceChange<T>>): Promise<T> {
  return db.transaction(async (tx) => {
    const owned = await loadOwnedAssignment(tx, actor, machineId, assignmentId);
    const { result, audit } = await change(tx, owned, actorLabel(owned.user));
    if (audit) await writeAudit(tx, { actor: owned.user, action, targetType: 'assignment', targetId: owned.assignment.id, targetLabel: owned.label, before: audit.before, after: { ...audit.after, jobId: owned.job.id, machineId: owned.machine.id } });
    return result;
  });
}

/** A change the agent must learn on its next poll that moved no state (moveAssignments bumps its own). */
export async function bumpPlan(tx: Db, machineId: string): Promise<void> {
  await tx.update(machines).set({ planVersion: sql`${machines.planVersion} + 1` }).where(eq(machines.id, machineId));
}
