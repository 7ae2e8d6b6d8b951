import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { suspendJob } from '@/lib/jobs/suspend-job';

const params = z.object({ id: z.string() });

export const POST = jsonRoute({ permission: 'deploy.manage', params }, async ({ actor, params }) => {
  const { job, moved } = await suspendJob(getDb(), { actor, jobId: params.id });
  return { job: { id: job.id, name: job.name, state: job.state }, assignments: moved };
});
