import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { setRelaySchema } from '@/lib/relays/schemas';
import { setMachineRelay } from '@/lib/relays/set-machine-relay';

export const PUT = jsonRoute({ permission: 'relays.manage', params: z.object({ id: z.string() }), body: setRelaySchema }, async ({ actor, params, body }) => ({
  machine: await setMachineRelay(getDb(), { actor, machineId: params.id, input: body }),
}));
