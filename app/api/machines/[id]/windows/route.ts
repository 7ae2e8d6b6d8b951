import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { setMachineWindows, setMachineWindowsSchema } from '@/lib/machines/set-machine-windows';

const params = z.object({ id: z.string() });

export const PUT = jsonRoute({ permission: 'deploy.manage', params, body: setMachineWindowsSchema }, async ({ actor, params, body }) => ({
  machine: { id: params.id, ...(await setMachineWindows(getDb(), { actor, machineId: params.id, input: body })) },
}));
