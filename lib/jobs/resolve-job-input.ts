import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { cabinets, machineGroups, packages, type Package } from '@/db/schema';
import { AppError, parseInput } from '@/lib/errors';
import { requireEnrolledMachines } from '@/lib/machines/require-enrolled-machines';
import { packageLabel as formatPackageLabel } from '@/lib/packages/public-package';
import { pgArray } from '@/lib/sql';
import { createJobSchema } from './schemas';

export interface ResolvedJobInput {
  data: ReturnType<typeof createJobSchema.parse>;
  pkg: Package | null;
  /** "Firefox 128.5" for the default job name; "inventory" for inventory jobs. */
  label: string;
  /** "cabinet/package-id version (generation N)", kept on the job. */
  packageLabel: string;
  machineIds: string[];
  groupIds: string[];
}

/**
 * Everything a job's input must satisfy before anything is written: the schema, deadlines in the
 * future where a past one makes no sense, a package that exists and has not expired, groups that
 * exist and machines that are enrolled. Shared by creating a job and previewing one, so a preview
 * says exactly what creating would. Run inside the caller's transaction: the package is
 * share-locked so a concurrent delete waits for the job, then sees it.
 *
 * `machinesCheckedLater`: the caller's own statement counts the named machines it reaches and
 * calls requireEnrolledMachines when one is missing (createJob's fan-out), which saves a pass over
 * up to 100,000 ids; the error is the same.
 */
export async function resolveJobInput(tx: Db, input: unknown, now: Date, { machinesCheckedLater = false } = {}): Promise<ResolvedJobInput> {
  const data = parseInput(createJobSchema, input, 'body');
  if (data.deadline && Date.parse(data.deadline) <= now.getTime()) {
    if (data.kind === 'offer') throw new AppError('invalid_input', { field: 'deadline', message: 'deadline: this deadline has passed, so the offer would expire at once; choose a future deadline (or none)' });
    if (data.timing === 'windows') throw new AppError('invalid_input', { field: 'deadline', message: 'deadline: this deadline has passed; a job timed by installation windows needs a future deadline (or none)' });
  }
  const machineIds = [...new Set(data.machineIds)];
  const groupIds = [...new Set(data.groupIds)];
  let label = 'inventory';
  let packageLabel = '';
  let pkg: Package | null = null;
  if (data.packageId) {
    const [row] = await tx.select({ pkg: packages, cabinet: cabinets.name }).from(packages).innerJoin(cabinets, eq(cabinets.id, packages.cabinetId)).where(eq(packages.id, data.packageId)).for('share', { of: packages });
    if (!row) throw new AppError('not_found', { field: 'packageId', message: `packageId: no package with id ${data.packageId}` });
    pkg = row.pkg;
    if (pkg.expiresAt && pkg.expiresAt <= now) {
      throw new AppError('invalid_input', { field: 'packageId', message: `packageId: ${pkg.packageId} ${pkg.version} expired on ${pkg.expiresAt.toISOString()}; register a newer generation` });
    }
    label = `${pkg.displayName} ${pkg.version}`;
    packageLabel = `${row.cabinet}/${formatPackageLabel(pkg)}`;
  }
  const groups = groupIds.length ? await tx.select({ id: machineGroups.id }).from(machineGroups).where(sql`${machineGroups.id} = any(${pgArray(groupIds)}::uuid[])`).for('share') : [];
  if (groups.length !== groupIds.length) {
    const known = new Set(groups.map((g) => g.id));
    throw new AppError('not_found', { field: 'groupIds', message: `groupIds: no group with id ${groupIds.find((id) => !known.has(id))}` });
  }
  if (!machinesCheckedLater) await requireEnrolledMachines(tx, machineIds);
  return { data, pkg, label, packageLabel, machineIds, groupIds };
}
