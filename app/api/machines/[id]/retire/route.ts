import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { retireMachine } from '@/lib/machines/retire-machine';

const params = z.object({ id: z.string() });

export const POST = jsonRoute({ permission: 'deploy.manage', params }, async ({ actor, params }) => ({ machine: await retireMachine(getDb(), { actor, machineId: params.id }) }));
