import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { setRelaySchema } from '@/lib/relays/schemas';
import { setGroupRelay } from '@/lib/relays/set-group-relay';

export const PUT = jsonRoute({ permission: 'relays.manage', params: z.object({ id: z.string() }), body: setRelaySchema }, async ({ actor, params, body }) => ({
  group: await setGroupRelay(getDb(), { actor, groupId: params.id, input: body }),
}));
