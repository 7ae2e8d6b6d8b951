import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getJobOutcomes } from '@/lib/jobs/job-outcomes';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params }, ({ actor, params }) => getJobOutcomes(getDb(), { actor, id: params.id, now: new Date() }));
