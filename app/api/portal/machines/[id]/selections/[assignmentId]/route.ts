import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { unselectOffer } from '@/lib/portal/unselect-offer';

const params = z.object({ id: z.string(), assignmentId: z.string() });

/** "Change my mind": the chosen offer goes back to offered. */
export const DELETE = jsonRoute({ permission: 'portal.use', params }, ({ actor, params }) => unselectOffer(getDb(), { actor, machineId: params.id, assignmentId: params.assignmentId }));
