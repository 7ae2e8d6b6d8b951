import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { deferInstall } from '@/lib/portal/defer-install';

const params = z.object({ id: z.string(), assignmentId: z.string() });

export const POST = jsonRoute({ permission: 'portal.use', params }, ({ actor, params }) => deferInstall(getDb(), { actor, machineId: params.id, assignmentId: params.assignmentId }));
