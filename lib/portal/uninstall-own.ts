import { and, eq, gt, notInArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, cabinets, jobs, packages } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { AppError } from '@/lib/errors';
import { fanOut } from '@/lib/jobs/create-job';
import { packageLabel } from '@/lib/packages/public-package';
import { guardedPlanBump, type AssignmentChoiceOptions } from './assignment-choice';
import { loadOwnedAssignment } from './load-owned-assignment';

export interface UninstallRequest {
  /** "Firefox 128.5 on pc-1" */
  label: string;
  job: { id: string; name: string; kind: 'uninstall' };
  assignments: number;
}

/**
 * The user removes a self-service package they installed through an offer: a one-machine
 * `uninstall` job, created by the user with the same fan-out statement as an admin's job, so it
 * appears in the jobs list, on the job page and in the audit log like any other. Refused when the
 * package is not self-service, has no uninstall command, or an uninstall of it on this machine
 * is already under way or done since it was installed.
 */
export async function uninstallOwn(db: Db, { actor, machineId, assignmentId, now = new Date() }: AssignmentChoiceOptions): Promise<UninstallRequest> {
  return db.transaction(async (tx) => {
    const { user, machine, assignment, job, label } = await loadOwnedAssignment(tx, actor, machineId, assignmentId);
    if (job.kind !== 'offer') throw new AppError('conflict', { message: `${label} was installed by your administrators, not chosen by you: ask your IT team to remove it.` });
    if (assignment.state !== 'installed') throw new AppError('conflict', { message: `${label} is not installed (${assignment.state}): there is nothing to uninstall.` });
    // Share-locked like a new job's package (resolveJobInput): a concurrent delete waits, then sees this job.
    const [row] = job.packageId
      ? await tx.select({ pkg: packages, cabinet: cabinets.name }).from(packages).innerJoin(cabinets, eq(cabinets.id, packages.cabinetId)).where(eq(packages.id, job.packageId)).for('share', { of: packages })
      : [];
    if (!row) throw new AppError('conflict', { message: `The package of ${label} was deleted: ask your IT team to remove it.` });
    const { pkg } = row;
    if (!pkg.selfService) throw new AppError('conflict', { message: `${label} is not self-service: ask your IT team to remove it.` });
    if (!pkg.manifest.installer.uninstall) throw new AppError('conflict', { message: `${pkg.displayName} ${pkg.version} has no uninstall command: ask your IT team to remove it from ${machine.hostname}.` });
    // One removal at a time: an uninstall of this package on this machine made after it was installed, not failed or stopped.
    const [already] = await tx
      .select({ state: assignments.state, jobName: jobs.name })
      .from(assignments)
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .where(and(eq(jobs.packageId, pkg.id), eq(jobs.kind, 'uninstall'), eq(assignments.machineId, machine.id), gt(assignments.createdAt, assignment.updatedAt), notInArray(assignments.state, ['failed', 'cancelled', 'expired', 'skipped'])))
      .limit(1);
    if (already) {
      throw new AppError('conflict', { message: already.state === 'installed' ? `${label} was already uninstalled.` : `An uninstall of ${label} is already on its way (${already.jobName}).` });
    }
    const [created] = await tx
      .insert(jobs)
      .values({
        name: `Uninstall ${pkg.displayName} ${pkg.version} from ${machine.hostname} (requested by ${user.email})`,
        kind: 'uninstall',
        packageId: pkg.id,
        packageLabel: `${row.cabinet}/${packageLabel(pkg)}`,
        // The user asked for it now; their windows guard against installs they did not ask for.
        timing: 'asap',
        createdBy: user.id,
      })
      .returning();
    const { count } = await fanOut(tx, created, [machine.id], []);
    // The fan-out skips a machine retired since the ownership check; then there is no such machine.
    if (count !== 1) throw new AppError('not_found', { message: `You have no machine with id ${machineId}.` });
    await writeAudit(tx, {
      actor: user,
      action: 'job.create',
      targetType: 'job',
      targetId: created.id,
      targetLabel: created.name,
      after: { kind: 'uninstall', packageId: pkg.id, timing: 'asap', machines: 1, requestedFrom: 'portal', machineId: machine.id, offerAssignmentId: assignment.id },
    });
    await guardedPlanBump(tx, user, [machine.id]);
    return { label, job: { id: created.id, name: created.name, kind: 'uninstall' }, assignments: count };
  });
}
