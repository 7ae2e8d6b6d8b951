import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { jobs, type Job, type JobState } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { actorLabel } from '@/lib/audit/actor-label';
import { loadJobForUpdate } from './load-job';

export interface JobActionOptions {
  actor: Actor | null;
  jobId: string;
}

/**
 * The frame every admin action on a job shares: permission, the job row locked, the state check,
 * the change, the job's new state and the audit row in one transaction.
 */
export async function jobAction(
  db: Db,
  { actor, jobId }: JobActionOptions,
  action: string,
  change: (tx: Db, job: Job, label: string) => Promise<{ state?: JobState; moved: number }>,
): Promise<{ job: Job; moved: number }> {
  const deployer = requirePermission(actor, 'deploy.manage');
  return db.transaction(async (tx) => {
    const before = await loadJobForUpdate(tx, jobId);
    const { state, moved } = await change(tx, before, actorLabel(deployer));
    const [job] = state ? await tx.update(jobs).set({ state }).where(eq(jobs.id, jobId)).returning() : [before];
    await writeAudit(tx, { actor: deployer, action, targetType: 'job', targetId: job.id, targetLabel: job.name, before: { state: before.state }, after: { state: job.state, assignments: moved } });
    return { job, moved };
  });
}
