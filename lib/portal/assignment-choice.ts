/**
 * Lock order of everything that changes assignments and their machines (portal choices, the
 * agent's turn and reports, cancel and retire): ASSIGNMENT ROWS FIRST (several at once in one
 * statement, `order by id`), THEN THE MACHINE ROW(S) (several in id order). A writer that took a
 * machine first and then its assignments (retire did) deadlocks against a user's choice that
 * holds an assignment and then bumps the machine's plan. Jobs with a cap are the one exception
 * that comes before both: the agent's turn locks the job row, then the assignment.
 *
 * Ownership is read without a lock (loadOwnedMachine) and made good at the end: every choice ends
 * with guardedPlanBump, which bumps the plan only if the machine is still the user's and not
 * retired, and rolls the whole choice back as not found otherwise. An admin who re-owns or
 * retires the machine meanwhile holds its row until commit, so the bump waits and then sees it.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { actorLabel } from '@/lib/audit/actor-label';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { pgArray, rowsOf } from '@/lib/sql';
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
 * and change, the audit row and the guarded plan bump, in one transaction.
 */
export async function assignmentChoice<T>(db: Db, { actor, machineId, assignmentId }: AssignmentChoiceOptions, action: string, change: (tx: Db, owned: OwnedAssignment, by: string) => Promise<ChoiceChange<T>>): Promise<T> {
  return db.transaction(async (tx) => {
    const owned = await loadOwnedAssignment(tx, actor, machineId, assignmentId);
    const { result, audit } = await change(tx, owned, actorLabel(owned.user));
    if (audit) await writeAudit(tx, { actor: owned.user, action, targetType: 'assignment', targetId: owned.assignment.id, targetLabel: owned.label, before: audit.before, after: { ...audit.after, jobId: owned.job.id, machineId: owned.machine.id } });
    // Also when nothing changed: the answer must not tell a former owner it worked.
    await guardedPlanBump(tx, owned.user, [owned.machine.id]);
    return result;
  });
}

/**
 * Bumps the plans of these machines (in id order) only while they are still the user's and not
 * retired; otherwise throws not_found, and the caller's transaction, the choice with it, rolls
 * back. See the lock order above.
 */
export async function guardedPlanBump(tx: Db, user: Actor, machineIds: readonly string[]): Promise<void> {
  const ids = [...new Set(machineIds)].sort();
  const result = await tx.execute(sql`
    with mine as (
      select id from machines
      where id = any(${pgArray(ids)}::uuid[]) and owner_id = ${user.id} and retired_at is null
      order by id
      for update
    )
    update machines m set plan_version = m.plan_version + 1 from mine where m.id = mine.id
    returning m.id`);
  const bumped = new Set(rowsOf<{ id: string }>(result).map((r) => r.id));
  const gone = ids.find((id) => !bumped.has(id));
  if (gone) throw new AppError('not_found', { message: `You have no machine with id ${gone}.` });
}
