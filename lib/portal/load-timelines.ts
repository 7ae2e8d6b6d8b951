import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, jobs, machines, packages, type AssignmentState } from '@/db/schema';
import type { Plan } from '@/lib/contract/agent-api';
import { getPlan, isMandatory } from '@/lib/machines/get-plan';
import { pgArray } from '@/lib/sql';
import { buildTimeline, type AssignmentFacts, type MachineTimeline } from './timeline';

// What the portal dates: the plan's work, jobs on hold, and offers the user has not answered.
const SHOWN_STATES: AssignmentState[] = ['pending', 'downloading', 'ready', 'installing', 'held', 'offered'];

export interface TimelineOf extends MachineTimeline {
  plan: Plan;
}

/**
 * Each machine's pending work and dated events. Times come from the machine's own plan (getPlan:
 * its effective windows, zone, blackout dates and each assignment's timing as the agent gets
 * them), so the portal and the agent compute the same instant; the rest (package names, offers,
 * held jobs, the user's deferral budget) from one query for all the machines. The machines must
 * already be the caller's (loadOwnedMachine, or a query on the owner).
 */
export async function loadTimelines(db: Db, owned: readonly { id: string; hostname: string }[], now: Date): Promise<Map<string, TimelineOf>> {
  const result = new Map<string, TimelineOf>();
  if (owned.length === 0) return result;
  const ids = owned.map((m) => m.id);
  const [plans, rows] = await Promise.all([
    Promise.all(owned.map((m) => getPlan(db, m.id, now))),
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
      .leftJoin(packages, eq(packages.id, jobs.packageId))
      .where(and(sql`${assignments.machineId} = any(${pgArray(ids)}::uuid[])`, inArray(assignments.state, SHOWN_STATES)))
      .orderBy(asc(assignments.createdAt)),
  ]);
  const facts = new Map<string, AssignmentFacts[]>();
  for (const r of rows) {
    const { jobCreatedBy, ownerId, ...rest } = r;
    const what = r.displayName ? `${r.displayName} ${r.version}` : r.packageLabel || r.jobName;
    const list = facts.get(r.machineId) ?? [];
    list.push({ ...rest, what, mandatory: isMandatory({ kind: r.jobKind, createdBy: jobCreatedBy }, ownerId) });
    facts.set(r.machineId, list);
  }
  owned.forEach((m, i) => result.set(m.id, { plan: plans[i], ...buildTimeline(m, plans[i], facts.get(m.id) ?? [], now) }));
  return result;
}
