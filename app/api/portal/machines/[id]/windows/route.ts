import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getMyWindows } from '@/lib/portal/get-my-windows';
import { setMyWindowsSchema } from '@/lib/portal/my-windows-schema';
import { setMyWindows } from '@/lib/portal/set-my-windows';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'portal.use', params }, async ({ actor, params }) => ({ machine: await getMyWindows(getDb(), { actor, machineId: params.id }) }));

export const PUT = jsonRoute({ permission: 'portal.use', params, body: setMyWindowsSchema }, async ({ actor, params, body }) => ({
  machine: await setMyWindows(getDb(), { actor, machineId: params.id, input: body }),
}));
