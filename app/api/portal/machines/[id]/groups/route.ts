import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { listSelfServiceGroups } from '@/lib/portal/list-self-service-groups';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'portal.use', params }, async ({ actor, params }) => listSelfServiceGroups(getDb(), { actor, machineId: params.id }));
