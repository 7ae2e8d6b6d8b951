'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { cancelJob } from '@/lib/jobs/cancel-job';
import { rerunFailed } from '@/lib/jobs/rerun-failed';
import { resumeJob } from '@/lib/jobs/resume-job';
import { suspendJob } from '@/lib/jobs/suspend-job';

const input = z.object({ id: z.string().min(1) });

export const cancelJobAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/jobs'] }, async ({ actor, input }) => {
  const { moved } = await cancelJob(getDb(), { actor, jobId: input.id });
  return `Cancelled: ${moved} assignment(s) that had not started will not run. Machines learn it on their next poll.`;
});

export const suspendJobAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/jobs'] }, async ({ actor, input }) => {
  const { moved } = await suspendJob(getDb(), { actor, jobId: input.id });
  return `Suspended: ${moved} assignment(s) held until you resume the job.`;
});

export const resumeJobAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/jobs'] }, async ({ actor, input }) => {
  const { moved } = await resumeJob(getDb(), { actor, jobId: input.id });
  return `Resumed: ${moved} assignment(s) pending again.`;
});

export const rerunFailedAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/jobs'] }, async ({ actor, input }) => {
  const { moved } = await rerunFailed(getDb(), { actor, jobId: input.id });
  return `Re-running ${moved} failed machine(s) as a new attempt.`;
});
