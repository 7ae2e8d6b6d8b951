import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobs, machineGroups, machines, packages } from '@/db/schema';
import { ACTIVE_STATES } from '@/lib/assignments/transitions';
import type { Plan, PlanAssignment } from '@/lib/contract/agent-api';
import { AppError } from '@/lib/errors';

// How often agents poll, and how much each adds at random so a fleet does not poll in step.
export const POLL = { seconds: 60, jitterSeconds: 30 } as const;

/**
 * What the server tells one agent: its effective installation windows in its time zone and every
 * assignment it still has work on. Finished assignments leave the plan; the agent remembers
 * what it reported until the server has it.
 */
export async function getPlan(db: Db, machineId: string): Promise<Plan> {
  const [m] = await db.select({ id: machines.id, planVersion: machines.planVersion, timeZone: machines.timeZone, windows: machines.windows }).from(machines).where(eq(machines.id, machineId));
  if (!m) throw new AppError('unauthorized', { message: 'This machine is not enrolled.' });
  const rows = await db
    .select({ assignment: assignments, job: jobs, pkg: packages })
    .from(assignments)
    .innerJoin(jobs, eq(jobs.id, assignments.jobId))
    .leftJoin(packages, eq(packages.id, jobs.packageId))
    .where(and(eq(assignments.machineId, machineId), inArray(assignments.state, [...ACTIVE_STATES])))
    .orderBy(asc(assignments.createdAt));
  return {
    machineId: m.id,
    version: m.planVersion,
    pollSeconds: POLL.seconds,
    jitterSeconds: POLL.jitterSeconds,
    timeZone: m.timeZone,
    windows: effectiveWindows(m.windows, await groupWindows(db, machineId)),
    assignments: rows.map(({ assignment, job, pkg }): PlanAssignment => ({
      assignmentId: assignment.id,
      attempt: assignment.attempt,
      jobId: job.id,
      jobName: job.name,
      // A selected offer is installed like a mandatory one.
      kind: job.kind === 'offer' ? 'install' : job.kind,
      state: assignment.state as PlanAssignment['state'],
      timing: job.timing,
      startAt: job.startAt?.toISOString() ?? null,
      notBefore: job.notBefore?.toISOString() ?? null,
      deadline: job.kind === 'offer' ? null : (job.deadline?.toISOString() ?? null),
      loadSpreading: job.loadSpreading,
      package: pkg
        ? {
            id: pkg.id,
            packageId: pkg.packageId,
            version: pkg.version,
            generation: pkg.generation,
            displayName: pkg.displayName,
            sha256: pkg.contentSha256,
            size: pkg.size,
            fileName: pkg.fileName,
            installer: pkg.manifest.installer,
            conditions: pkg.manifest.conditions,
            detection: pkg.manifest.detection,
          }
        : null,
    })),
  };
}

/**
 * DESIGN.md: the machine's own windows (the user's), else its groups' defaults (all of them: a
 * machine in two groups may install in either's windows; overlaps merge), else any time.
 */
export function effectiveWindows(own: Plan['windows'] | null, fromGroups: Plan['windows'][]): Plan['windows'] {
  return own ?? fromGroups.flat();
}

/** The default windows of the machine's groups, by group name. */
export async function groupWindows(db: Db, machineId: string): Promise<Plan['windows'][]> {
  const rows = await db
    .select({ windows: machineGroups.windows })
    .from(groupMembers)
    .innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.machineId, machineId), isNotNull(machineGroups.windows)))
    .orderBy(asc(machineGroups.name));
  return rows.map((r) => r.windows ?? []);
}
