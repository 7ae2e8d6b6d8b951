import { desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, enrolmentSecrets, jobs, machines, packages, users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { effectiveWindows, groupWindows } from './get-plan';
import { isOnline } from './list-machines';

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
    })
    .from(assignments)
    .innerJoin(jobs, eq(jobs.id, assignments.jobId))
    .leftJoin(packages, eq(packages.id, jobs.packageId))
    .where(eq(assignments.machineId, id))
    .orderBy(desc(assignments.updatedAt))
    .limit(100);
  const { m } = row;
  return {
    id: m.id,
    hostname: m.hostname,
    timeZone: m.timeZone,
    facts: m.facts,
    owner: row.owner,
    enrolmentSecret: row.secret,
    enrolledAt: m.enrolledAt,
    lastSeenAt: m.lastSeenAt,
    retiredAt: m.retiredAt,
    online: isOnline(m.lastSeenAt, now),
    planVersion: m.planVersion,
    ownWindows: m.windows,
    windows: effectiveWindows(m.windows, await groupWindows(db, m.id)),
    assignments: recent,
  };
}
export type MachineDetail = Awaited<ReturnType<typeof getMachine>>;
