import { z } from 'zod';
import { getDb } from '@/db/client';
import { groupWindowsSchema } from '@/lib/groups/schemas';
import { setGroupWindows } from '@/lib/groups/set-group-windows';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ id: z.string() });

export const PUT = jsonRoute({ permission: 'deploy.manage', params, body: groupWindowsSchema }, async ({ actor, params, body }) => ({
  group: { id: params.id, ...(await setGroupWindows(getDb(), { actor, groupId: params.id, input: body })) },
}));
