import { z } from 'zod';
import { getDb } from '@/db/client';
import { getGroup } from '@/lib/groups/get-group';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params }, async ({ actor, params }) => ({ group: await getGroup(getDb(), { actor, id: params.id }) }));
