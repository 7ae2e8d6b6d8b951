import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getMyMachine } from '@/lib/portal/get-my-machine';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'portal.use', params }, async ({ actor, params }) => ({ machine: await getMyMachine(getDb(), { actor, id: params.id }) }));
