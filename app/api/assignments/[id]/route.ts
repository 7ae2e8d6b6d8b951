import { z } from 'zod';
import { getDb } from '@/db/client';
import { getAssignment } from '@/lib/assignments/get-assignment';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params }, async ({ actor, params }) => ({ assignment: await getAssignment(getDb(), { actor, id: params.id }) }));
