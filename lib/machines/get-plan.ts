import { and, asc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobs, machineGroups, machines, packages } from '@/db/schema';
import { ACTIVE_STATES } from '@/lib/assignments/transitions';
import type { Plan, PlanAssignment } from '@/lib/contract/agent-api';
import { oldestRelevantBlackoutDate } from '@/lib/contract/blackout-dates';
import { AppError } from '@/lib/errors';
import { contentSources } from '@/lib/relays/content-sources';
import { planTiming } from './plan-timing';

// How often agents poll, and how much each adds at random so a fleet does not poll in step.
export const POLL = { seconds: 60, jitterSeconds: 30 } as const;

/**
 * What the server tells one agent: its effective installation windows in its time zone and every
 * assignment it still has work on. Finished assignments leave the plan; the agent remembers
 * what it reported until the server has it.
 */
export async function getPlan(db: Db, machineId: string, now: Date = new Date()): Promise<Plan> {
  const [m] = await db.select({ id: machines.id, planVersion: machines.planVersion, timeZone: machines.timeZone, windows: machines.windows }).from(machines).where(eq(machines.id, machineId));
  if (!m) throw new AppError('unauthorized', { message: 'This machine is not enrolled.' });
  const assignmentRows = db
    .select({ assignment: assignments, job: jobs, pkg: packages })
    .from(assignments)
    .innerJoin(jobs, eq(jobs.id, assignments.jobId))
    .leftJoin(packages, eq(packages.id, jobs.packageId))
    // An expired package leaves the plan at once, whether or not the sweep has marked its
    // assignments yet: the rows decide, the sweep only tidies up and bumps plan versions.
    // An install already running stays (its outcome must still be reported), and uninstalls of an
    // expired package still run.
    .where(
      and(
        eq(assignments.machineId, machineId),
        inArray(assignments.state, [...ACTIVE_STATES]),
        or(isNull(packages.expiresAt), gt(packages.expiresAt, now), eq(assignments.state, 'installing'), inArray(jobs.kind, ['uninstall', 'inventory'])),
      ),
    )
    .orderBy(asc(assignments.createdAt));
  const [rows, groups, sources] = await Promise.all([assignmentRows, groupDefaults(db, machineId, now), contentSources(db, machineId)]);
  return {
    machineId: m.id,
    version: m.planVersion,
    pollSeconds: POLL.seconds,
    jitterSeconds: POLL.jitterSeconds,
    timeZone: m.timeZone,
    windows: effectiveWindows(m.windows, groups.windows),
    blackoutDates: groups.blackoutDates,
    contentSources: sources,
    assignments: rows.map(({ assignment, job, pkg }): PlanAssignment => ({
      assignmentId: assignment.id,
      attempt: assignment.attempt,
      jobId: job.id,
      jobName: job.name,
      state: assignment.state as PlanAssignment['state'],
      // kind, timing, startAt, notBefore, deadline, loadSpreading: shared with the portal.
      ...planTiming(job, assignment),
      maxConcurrent: job.maxConcurrent,
      mandatory: job.kind !== 'offer',
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
            expiresAt: job.kind === 'install' || job.kind === 'offer' ? (pkg.expiresAt?.toISOString() ?? null) : null,
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

export interface GroupDefaults {
  /** The machine's groups, by name. */
  groups: { id: string; name: string }[];
  /** Each group's default windows, by group name (groups without windows left out). */
  windows: Plan['windows'][];
  /** The blackout dates of all its groups, merged and sorted, those still relevant only. */
  blackoutDates: string[];
}

/**
 * What the machine's groups set for it, in one query. Blackout dates are in the machine's zone,
 * which is at most a day behind UTC, so a date before yesterday (UTC) is over everywhere and left
 * out. A date passing does not bump the plan version: an agent that keeps an old list only keeps
 * a few past days that change nothing.
 */
export async function groupDefaults(db: Db, machineId: string, now: Date): Promise<GroupDefaults> {
  const rows = await db
    .select({ id: machineGroups.id, name: machineGroups.name, windows: machineGroups.windows, blackoutDates: machineGroups.blackoutDates })
    .from(groupMembers)
    .innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId))
    .where(eq(groupMembers.machineId, machineId))
    .orderBy(asc(machineGroups.name));
  const oldest = oldestRelevantBlackoutDate(now);
  return {
    groups: rows.map((r) => ({ id: r.id, name: r.name })),
    windows: rows.flatMap((r) => (r.windows ? [r.windows] : [])),
    blackoutDates: [...new Set(rows.flatMap((r) => r.blackoutDates))].filter((d) => d >= oldest).sort(),
  };
}
