import { asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignmentEvents, assignments, enrolmentSecrets, jobs, machines, packages, users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { guardrailsOfMachines } from '@/lib/groups/guardrails-of-machines';
import { checkGuardrails } from '@/lib/schedule/guardrails';
import { effectiveWindows, groupDefaults } from './get-plan';
import { isOnline } from './list-machines';

// The page lists the latest assignments with their history; older ones stay in the job pages.
const ASSIGNMENTS_SHOWN = 100;

/** One machine for its page: facts, windows (own and effective), and its latest assignments. */
export async function getMachine(db: Db, { actor, id, now = new Date() }: { actor: Actor | null; id: string; now?: Date }) {
  requirePermission(actor, 'admin.view');
  const [row] = isUuid(id)
    ? await db
        .select({ m: machines, owner: users.email, secret: enrolmentSecrets.name })
        .from(machines)
        .leftJoin(users, eq(users.id, machines.ownerId))
        .leftJoin(enrolmentSecrets, eq(enrolmentSecrets.id, machines.enrolmentSecretId))
        .where(eq(machines.id, id))
    : [];
  if (!row) throw new AppError('not_found', { message: `No machine with id ${id}.` });
  const recent = await db
    .select({
      id: assignments.id,
      state: assignments.state,
      attempt: assignments.attempt,
      exitCode: assignments.exitCode,
      reason: assignments.reason,
      output: assignments.output,
      updatedAt: assignments.updatedAt,
      jobId: jobs.id,
      jobName: jobs.name,
      jobKind: jobs.kind,
      packageName: packages.displayName,
      packageVersion: packages.version,
      packageLabel: jobs.packageLabel,
    })
    .from(assignments)
    .innerJoin(jobs, eq(jobs.id, assignments.jobId))
    .leftJoin(packages, eq(packages.id, jobs.packageId))
    .where(eq(assignments.machineId, id))
    .orderBy(desc(assignments.updatedAt))
    .limit(ASSIGNMENTS_SHOWN);
  const [history, defaults, guardrails] = await Promise.all([
    recent.length
      ? db
          .select({ assignmentId: assignmentEvents.assignmentId, attempt: assignmentEvents.attempt, state: assignmentEvents.state, at: assignmentEvents.at, exitCode: assignmentEvents.exitCode, reason: assignmentEvents.reason, source: assignmentEvents.source, actorLabel: assignmentEvents.actorLabel })
          .from(assignmentEvents)
          .where(inArray(assignmentEvents.assignmentId, recent.map((a) => a.id)))
          .orderBy(asc(assignmentEvents.at), asc(assignmentEvents.id))
      : [],
    groupDefaults(db, id, now),
    guardrailsOfMachines(db, [id]),
  ]);
  const { m } = row;
  return {
    id: m.id,
    hostname: m.hostname,
    timeZone: m.timeZone,
    facts: m.facts,
    owner: row.owner,
    ownerId: m.ownerId,
    groups: defaults.groups,
    enrolmentSecret: row.secret,
    enrolledAt: m.enrolledAt,
    lastSeenAt: m.lastSeenAt,
    retiredAt: m.retiredAt,
    online: isOnline(m.lastSeenAt, now),
    planVersion: m.planVersion,
    ownWindows: m.windows,
    windows: effectiveWindows(m.windows, defaults.windows),
    blackoutDates: defaults.blackoutDates,
    // Its groups' limits on the windows its user sets, and what its own windows break now.
    guardrails: guardrails.get(m.id) ?? [],
    guardrailViolations: m.windows ? checkGuardrails(m.windows, guardrails.get(m.id) ?? []) : [],
    assignments: recent.map((a) => ({ ...a, history: history.filter((e) => e.assignmentId === a.id) })),
  };
}
export type MachineDetail = Awaited<ReturnType<typeof getMachine>>;
