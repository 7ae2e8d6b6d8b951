import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getMachine } from '@/lib/machines/get-machine';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params }, async ({ actor, params }) => ({ machine: await getMachine(getDb(), { actor, id: params.id }) }));
