import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, jobs, packages, type Assignment, type Job, type Machine, type Package } from '@/db/schema';
import type { Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { loadOwnedMachine } from './owned-machine';

export interface OwnedAssignment {
  user: Actor;
  machine: Machine;
  assignment: Assignment;
  job: Job;
  /** null once the package is deleted (the job keeps its label). */
  pkg: Package | null;
  /** "Firefox 128.5 on pc-1", for messages and the audit log. */
  label: string;
}

/**
 * One assignment of the signed-in user's own machine, with its job and package, the assignment
 * row locked for the caller's transaction. Another user's machine, or an assignment of another
 * machine, is "not found" naming what was asked for. Only the assignment is locked (the machine
 * is bumped later in the same order moveAssignments uses: assignment, then machine), so a user's
 * choice and an admin's cancel of the same job cannot deadlock.
 */
export async function loadOwnedAssignment(tx: Db, actor: Actor | null, machineId: string, assignmentId: string): Promise<OwnedAssignment> {
  const { user, machine } = await loadOwnedMachine(tx, actor, machineId);
  const [row] = isUuid(assignmentId)
    ? await tx
        .select({ assignment: assignments, job: jobs, pkg: packages })
        .from(assignments)
        .innerJoin(jobs, eq(jobs.id, assignments.jobId))
        .leftJoin(packages, eq(packages.id, jobs.packageId))
        .where(and(eq(assignments.id, assignmentId), eq(assignments.machineId, machine.id)))
        .for('update', { of: assignments })
    : [];
  if (!row) throw new AppError('not_found', { field: 'assignmentId', message: `${machine.hostname} has no assignment with id ${assignmentId}.` });
  return { user, machine, ...row, label: `${softwareName(row.pkg, row.job)} on ${machine.hostname}` };
}

/** "Firefox 128.5", or the job's stored label once the package is gone. */
export function softwareName(pkg: Pick<Package, 'displayName' | 'version'> | null, job: Pick<Job, 'packageLabel' | 'name'>): string {
  return pkg ? `${pkg.displayName} ${pkg.version}` : job.packageLabel || job.name;
}
