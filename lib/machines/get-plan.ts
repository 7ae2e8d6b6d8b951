import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobs, machineGroups, machines, packages, type Assignment, type Job, type Machine, type Package } from '@/db/schema';
import { ACTIVE_STATES } from '@/lib/assignments/transitions';
import type { Plan, PlanAssignment } from '@/lib/contract/agent-api';
import { oldestRelevantBlackoutDate } from '@/lib/contract/blackout-dates';
import { AppError } from '@/lib/errors';
import { pgArray } from '@/lib/sql';
import { contentSources } from '@/lib/relays/content-sources';
import { planTiming } from './plan-timing';

// How often agents poll, and how much each adds at random so a fleet does not poll in step.
export const POLL = { seconds: 60, jitterSeconds: 30 } as const;

/** What a plan needs of its machine. */
export type PlanMachine = Pick<Machine, 'id' | 'planVersion' | 'timeZone' | 'windows' | 'ownerId'>;

/**
 * What the server tells one agent: its effective installation windows in its time zone and every
 * assignment it still has work on. Finished assignments leave the plan; the agent remembers
 * what it reported until the server has it.
 */
export async function getPlan(db: Db, machineId: string, now: Date = new Date()): Promise<Plan> {
  const [m] = await db.select({ id: machines.id, planVersion: machines.planVersion, timeZone: machines.timeZone, windows: machines.windows, ownerId: machines.ownerId }).from(machines).where(eq(machines.id, machineId));
  if (!m) throw new AppError('unauthorized', { message: 'This machine is not enrolled.' });
  const [rows, groups, sources] = await Promise.all([planRows(db, [m.id], now), groupDefaultsOf(db, [m.id], now), contentSources(db, m.id)]);
  return planOf(m, rows, groups.get(m.id) ?? NO_GROUPS, sources);
}

/**
 * The plans of several machines at once, from the same pieces as getPlan in two queries whatever
 * their number (the portal's pages date every machine of a user as its agent will). Without
 * content sources: where an agent downloads from changes no date.
 */
export async function getPlans(db: Db, ms: readonly PlanMachine[], now: Date): Promise<Map<string, Plan>> {
  if (ms.length === 0) return new Map();
  const ids = ms.map((m) => m.id);
  const [rows, groups] = await Promise.all([planRows(db, ids, now), groupDefaultsOf(db, ids, now)]);
  const byMachine = new Map<string, PlanRow[]>();
  for (const r of rows) {
    const list = byMachine.get(r.assignment.machineId);
    if (list) list.push(r);
    else byMachine.set(r.assignment.machineId, [r]);
  }
  return new Map(ms.map((m) => [m.id, planOf(m, byMachine.get(m.id) ?? [], groups.get(m.id) ?? NO_GROUPS)]));
}

// Only the columns the plan sends: not the assignment's output (up to 64 KiB each) nor the other
// columns of three tables, which drizzle maps field by field (measured: mapping whole rows was the
// largest cost of My machines, 1,000 assignments over 20 machines).
const planColumns = {
  assignment: { id: assignments.id, machineId: assignments.machineId, attempt: assignments.attempt, state: assignments.state, notBefore: assignments.notBefore, runNow: assignments.runNow },
  job: {
    id: jobs.id,
    name: jobs.name,
    kind: jobs.kind,
    timing: jobs.timing,
    startAt: jobs.startAt,
    notBefore: jobs.notBefore,
    deadline: jobs.deadline,
    loadSpreading: jobs.loadSpreading,
    maxConcurrent: jobs.maxConcurrent,
    deferralLimit: jobs.deferralLimit,
    allowInstallNow: jobs.allowInstallNow,
    createdBy: jobs.createdBy,
  },
  pkg: {
    id: packages.id,
    packageId: packages.packageId,
    version: packages.version,
    generation: packages.generation,
    displayName: packages.displayName,
    contentSha256: packages.contentSha256,
    size: packages.size,
    fileName: packages.fileName,
    manifest: packages.manifest,
    expiresAt: packages.expiresAt,
  },
};
type PlanRow = {
  assignment: Pick<Assignment, keyof typeof planColumns.assignment>;
  job: Pick<Job, keyof typeof planColumns.job>;
  pkg: Pick<Package, keyof typeof planColumns.pkg> | null;
};

/** The assignments the agents of these machines still have work on, oldest first. */
function planRows(db: Db, machineIds: string[], now: Date): Promise<PlanRow[]> {
  return (
    db
      .select(planColumns)
      .from(assignments)
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .leftJoin(packages, eq(packages.id, jobs.packageId))
      // An expired package leaves the plan at once, whether or not the sweep has marked its
      // assignments yet: the rows decide, the sweep only tidies up and bumps plan versions.
      // An install already running stays (its outcome must still be reported), and uninstalls of an
      // expired package still run.
      .where(
        and(
          machineIds.length === 1 ? eq(assignments.machineId, machineIds[0]) : sql`${assignments.machineId} = any(${pgArray(machineIds)}::uuid[])`,
          inArray(assignments.state, [...ACTIVE_STATES]),
          or(isNull(packages.expiresAt), gt(packages.expiresAt, now), eq(assignments.state, 'installing'), inArray(jobs.kind, ['uninstall', 'inventory'])),
        ),
      )
      .orderBy(asc(assignments.createdAt))
  );
}

function planOf(m: PlanMachine, rows: readonly PlanRow[], groups: GroupDefaults, sources: Plan['contentSources'] = []): Plan {
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
      mandatory: isMandatory(job, m.ownerId),
      askTurn: asksTurn(job),
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
 * An admin's install or uninstall, which the agent announces and the portal marks "required by
 * your organisation": not an offer, and not a job the machine's own user made (their uninstall of
 * a self-service package from the portal).
 */
export function isMandatory(job: Pick<Job, 'kind' | 'createdBy'>, ownerId: string | null): boolean {
  return job.kind !== 'offer' && !(ownerId !== null && job.createdBy === ownerId);
}

/**
 * Whether the agent must ask the server (POST /turn) right before the installer: where the job
 * has a cap, or where the end user can still change the assignment (an offer they may unchoose,
 * a deferral budget, install now), so a change made while the agent got ready wins over a start
 * from a plan that is seconds old. Other assignments start from the plan alone, offline too.
 */
export function asksTurn(job: Pick<Job, 'kind' | 'maxConcurrent' | 'deferralLimit' | 'allowInstallNow'>): boolean {
  return job.maxConcurrent !== null || job.kind === 'offer' || (job.deferralLimit ?? 0) > 0 || job.allowInstallNow;
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

export const NO_GROUPS: GroupDefaults = { groups: [], windows: [], blackoutDates: [] };

/**
 * What the machine's groups set for it, in one query. Blackout dates are in the machine's zone,
 * which is at most a day behind UTC, so a date before yesterday (UTC) is over everywhere and left
 * out. A date passing does not bump the plan version: an agent that keeps an old list only keeps
 * a few past days that change nothing.
 */
export async function groupDefaults(db: Db, machineId: string, now: Date): Promise<GroupDefaults> {
  return (await groupDefaultsOf(db, [machineId], now)).get(machineId) ?? NO_GROUPS;
}

/** groupDefaults of several machines in one query; a machine in no group is left out. */
export async function groupDefaultsOf(db: Db, machineIds: readonly string[], now: Date): Promise<Map<string, GroupDefaults>> {
  const result = new Map<string, GroupDefaults>();
  if (machineIds.length === 0) return result;
  const rows = await db
    .select({ machineId: groupMembers.machineId, id: machineGroups.id, name: machineGroups.name, windows: machineGroups.windows, blackoutDates: machineGroups.blackoutDates })
    .from(groupMembers)
    .innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId))
    .where(machineIds.length === 1 ? eq(groupMembers.machineId, machineIds[0]) : sql`${groupMembers.machineId} = any(${pgArray([...machineIds])}::uuid[])`)
    .orderBy(asc(machineGroups.name));
  const oldest = oldestRelevantBlackoutDate(now);
  const byMachine = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byMachine.get(r.machineId);
    if (list) list.push(r);
    else byMachine.set(r.machineId, [r]);
  }
  for (const [machineId, mine] of byMachine) {
    result.set(machineId, {
      groups: mine.map((r) => ({ id: r.id, name: r.name })),
      windows: mine.flatMap((r) => (r.windows ? [r.windows] : [])),
      blackoutDates: [...new Set(mine.flatMap((r) => r.blackoutDates))].filter((d) => d >= oldest).sort(),
    });
  }
  return result;
}
