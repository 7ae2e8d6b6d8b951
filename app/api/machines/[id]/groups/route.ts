import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { setMachineGroups, setMachineGroupsSchema } from '@/lib/machines/set-machine-groups';

const params = z.object({ id: z.string() });

export const PUT = jsonRoute({ permission: 'deploy.manage', params, body: setMachineGroupsSchema }, async ({ actor, params, body }) => ({
  machine: await setMachineGroups(getDb(), { actor, machineId: params.id, input: body }),
}));
