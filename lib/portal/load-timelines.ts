import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, jobs, machines, packages, type AssignmentState } from '@/db/schema';
import type { Plan } from '@/lib/contract/agent-api';
import { getPlans, isMandatory, type PlanMachine } from '@/lib/machines/get-plan';
import { pgArray } from '@/lib/sql';
import { buildTimeline, type AssignmentFacts, type MachineTimeline } from './timeline';

// What the portal dates: the plan's work and jobs on hold; offers the user has not answered only
// for their end (offer_expires), so only those that end inside the horizon asked for.
const WORK_STATES: AssignmentState[] = ['pending', 'downloading', 'ready', 'installing', 'held'];

export interface TimelineOf extends MachineTimeline {
  plan: Plan;
}

/** The machine page dates offers that end within this many days (the calendar feed's horizon). */
export const OFFER_END_DAYS = 30;

export interface TimelineOptions {
  /**
   * Offers not yet answered whose deadline falls before this are dated by their end; null: none
   * (My machines shows only what starts next). A user with 20 machines and 1,000 offers has some
   * 20,000 offered rows: only the few that end soon are read.
   */
  offersEndingBy: Date | null;
}

/**
 * Each machine's pending work and dated events. Times come from the machines' own plans
 * (getPlans: effective windows, zone, blackout dates and each assignment's timing as the agents
 * get them), so the portal and the agent compute the same instant; the rest (package names,
 * held jobs, the user's deferral budget, offers ending) from one or two queries for all the
 * machines: a handful of queries whatever the number of machines. The machines must already be
 * the caller's (loadOwnedMachine, or a query on the owner).
 */
export async function loadTimelines(db: Db, owned: readonly (PlanMachine & { hostname: string })[], now: Date, { offersEndingBy }: TimelineOptions): Promise<Map<string, TimelineOf>> {
  const result = new Map<string, TimelineOf>();
  if (owned.length === 0) return result;
  const ids = owned.map((m) => m.id);
  // A new builder for each query: drizzle's builders change in place.
  const facts = () =>
    db
      .select({
        machineId: assignments.machineId,
        assignmentId: assignments.id,
        attempt: assignments.attempt,
        state: assignments.state,
        deferrals: assignments.deferrals,
        runNow: assignments.runNow,
        jobId: jobs.id,
        jobName: jobs.name,
        jobKind: jobs.kind,
        jobDeadline: jobs.deadline,
        allowInstallNow: jobs.allowInstallNow,
        deferralLimit: jobs.deferralLimit,
        packageLabel: jobs.packageLabel,
        displayName: packages.displayName,
        version: packages.version,
        jobCreatedBy: jobs.createdBy,
        ownerId: machines.ownerId,
      })
      .from(assignments)
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .innerJoin(machines, eq(machines.id, assignments.machineId))
      .leftJoin(packages, eq(packages.id, jobs.packageId));
  const inMine = sql`${assignments.machineId} = any(${pgArray(ids)}::uuid[])`;
  const [plans, work, ending] = await Promise.all([
    getPlans(db, owned, now),
    facts().where(and(inMine, inArray(assignments.state, WORK_STATES))).orderBy(asc(assignments.createdAt)),
    offersEndingBy
      ? facts().where(and(inMine, eq(assignments.state, 'offered'), eq(jobs.kind, 'offer'), gt(jobs.deadline, now), lte(jobs.deadline, offersEndingBy))).orderBy(asc(assignments.createdAt))
      : Promise.resolve([]),
  ]);
  const byMachine = new Map<string, AssignmentFacts[]>();
  for (const r of [...work, ...ending]) {
    const { jobCreatedBy, ownerId, ...rest } = r;
    const what = r.displayName ? `${r.displayName} ${r.version}` : r.packageLabel || r.jobName;
    const list = byMachine.get(r.machineId) ?? [];
    list.push({ ...rest, what, mandatory: isMandatory({ kind: r.jobKind, createdBy: jobCreatedBy }, ownerId) });
    byMachine.set(r.machineId, list);
  }
  for (const m of owned) {
    const plan = plans.get(m.id)!;
    result.set(m.id, { plan, ...buildTimeline(m, plan, byMachine.get(m.id) ?? [], now) });
  }
  return result;
}
