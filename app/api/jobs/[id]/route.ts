import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getJob, getJobQuerySchema } from '@/lib/jobs/get-job';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params, query: getJobQuerySchema }, ({ actor, params, query }) => getJob(getDb(), { actor, id: params.id, query }));
