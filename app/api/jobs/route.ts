import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createJob } from '@/lib/jobs/create-job';
import { listJobs, listJobsQuerySchema } from '@/lib/jobs/list-jobs';
import { createJobSchema } from '@/lib/jobs/schemas';

export const POST = jsonRoute({ permission: 'deploy.manage', body: createJobSchema }, async ({ actor, body }) => {
  const { job, assignments } = await createJob(getDb(), { actor, input: body });
  return Response.json({ job: { id: job.id, name: job.name, kind: job.kind, timing: job.timing, state: job.state }, assignments }, { status: 201 });
});

export const GET = jsonRoute({ permission: 'admin.view', query: listJobsQuerySchema }, ({ actor, query }) => listJobs(getDb(), { actor, query }));
