import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobGroups, jobs, machineGroups, machines, packages, type Job } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { requireEnrolledMachines } from '@/lib/machines/require-enrolled-machines';
import { pgArray, rowsOf } from '@/lib/sql';
import { createJobSchema } from './schemas';

export interface CreateJobOptions {
  actor: Actor | null;
  /** Parsed here (API bodies and form fields alike), so it may be anything. */
  input: unknown;
  now?: Date;
}

export interface CreatedJob {
  job: Job;
  assignments: number;
}

/**
 * Creates a job and fans it out: one INSERT … SELECT makes every assignment and one UPDATE bumps
 * the plan version of exactly the machines that got one, in one transaction, so a poll either
 * sees the whole job or none of it.
 */
export async function createJob(db: Db, { actor, input, now = new Date() }: CreateJobOptions): Promise<CreatedJob> {
  const deployer = requirePermission(actor, 'deploy.manage');
  const data = parseInput(createJobSchema, input, 'body');
  if (data.timing === 'windows' && data.deadline && Date.parse(data.deadline) <= now.getTime()) {
    throw new AppError('invalid_input', { field: 'deadline', message: 'deadline: this deadline has passed; a job timed by installation windows needs a future deadline (or none)' });
  }
  const machineIds = [...new Set(data.machineIds)];
  const groupIds = [...new Set(data.groupIds)];

  return db.transaction(async (tx) => {
    let label = 'inventory';
    if (data.packageId) {
      // Share-locked so a concurrent delete of the package waits for this job, then sees it.
      const [pkg] = await tx.select().from(packages).where(eq(packages.id, data.packageId)).for('share');
      if (!pkg) throw new AppError('not_found', { field: 'packageId', message: `packageId: no package with id ${data.packageId}` });
      if (pkg.expiresAt && pkg.expiresAt <= now) {
        throw new AppError('invalid_input', { field: 'packageId', message: `packageId: ${pkg.packageId} ${pkg.version} expired on ${pkg.expiresAt.toISOString()}; register a newer generation` });
      }
      label = `${pkg.displayName} ${pkg.version}`;
    }
    const groups = groupIds.length ? await tx.select({ id: machineGroups.id }).from(machineGroups).where(sql`${machineGroups.id} = any(${pgArray(groupIds)}::uuid[])`).for('share') : [];
    if (groups.length !== groupIds.length) {
      const known = new Set(groups.map((g) => g.id));
      throw new AppError('not_found', { field: 'groupIds', message: `groupIds: no group with id ${groupIds.find((id) => !known.has(id))}` });
    }
    await requireEnrolledMachines(tx, machineIds);

    const [job] = await tx
      .insert(jobs)
      .values({
        name: data.name ?? `${data.kind} ${label}`,
        kind: data.kind,
        packageId: data.packageId ?? null,
        timing: data.timing,
        startAt: data.startAt ? new Date(data.startAt) : null,
        notBefore: data.notBefore ? new Date(data.notBefore) : null,
        deadline: data.deadline ? new Date(data.deadline) : null,
        loadSpreading: data.loadSpreading,
        createdBy: deployer.id,
      })
      .returning();
    if (groupIds.length) await tx.insert(jobGroups).values(groupIds.map((groupId) => ({ jobId: job.id, groupId })));
    const count = await fanOut(tx, job, machineIds, groupIds);
    await writeAudit(tx, {
      actor: deployer,
      action: 'job.create',
      targetType: 'job',
      targetId: job.id,
      targetLabel: job.name,
      after: { kind: job.kind, packageId: job.packageId, groupIds, timing: job.timing, startAt: job.startAt, notBefore: job.notBefore, deadline: job.deadline, loadSpreading: job.loadSpreading, machines: count },
    });
    return { job, assignments: count };
  });
}

/** One set-based statement for the assignments, one for the plan versions; never a loop from Node. */
async function fanOut(tx: Db, job: Job, machineIds: string[], groupIds: string[]): Promise<number> {
  const initial = job.kind === 'offer' ? 'offered' : 'pending';
  const inserted = await tx.execute<{ machine_id: string }>(sql`
    with made as (
      insert into ${assignments} (job_id, machine_id, state)
      select ${job.id}, m.id, ${initial}::assignment_state
      from ${machines} m
      where m.retired_at is null
        and (m.id = any(${pgArray(machineIds)}::uuid[])
             or m.id in (select machine_id from ${groupMembers} where group_id = any(${pgArray(groupIds)}::uuid[])))
      on conflict (job_id, machine_id) do nothing
      returning machine_id
    )
    update ${machines} set plan_version = plan_version + 1
    where id in (select machine_id from made)
    returning id`);
  return rowsOf(inserted).length;
}
