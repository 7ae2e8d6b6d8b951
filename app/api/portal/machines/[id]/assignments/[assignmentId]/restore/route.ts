import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { restoreOffer } from '@/lib/portal/restore-offer';

const params = z.object({ id: z.string(), assignmentId: z.string() });

export const POST = jsonRoute({ permission: 'portal.use', params }, ({ actor, params }) => restoreOffer(getDb(), { actor, machineId: params.id, assignmentId: params.assignmentId }));
