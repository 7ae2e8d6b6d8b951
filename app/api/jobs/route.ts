import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createJob } from '@/lib/jobs/create-job';
import { createJobSchema } from '@/lib/jobs/schemas';

export const POST = jsonRoute({ permission: 'deploy.manage', body: createJobSchema }, async ({ actor, body }) => {
  const { job, assignments } = await createJob(getDb(), { actor, input: body });
  return Response.json({ job: { id: job.id, name: job.name, kind: job.kind, timing: job.timing, state: job.state }, assignments }, { status: 201 });
});
