import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { previewJob } from '@/lib/jobs/preview-job';
import { createJobSchema } from '@/lib/jobs/schemas';

/** What POST /api/jobs would do with the same body, without creating anything. */
export const POST = jsonRoute({ permission: 'deploy.manage', body: createJobSchema }, async ({ actor, body }) => ({ preview: await previewJob(getDb(), { actor, input: body }) }));
