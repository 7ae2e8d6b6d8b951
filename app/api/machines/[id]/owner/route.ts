import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { setMachineOwner, setMachineOwnerSchema } from '@/lib/machines/set-machine-owner';

const params = z.object({ id: z.string() });

export const PUT = jsonRoute({ permission: 'deploy.manage', params, body: setMachineOwnerSchema }, async ({ actor, params, body }) => ({
  machine: await setMachineOwner(getDb(), { actor, machineId: params.id, input: body }),
}));
