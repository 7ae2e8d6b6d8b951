import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getRelay } from '@/lib/relays/get-relay';
import { updateRelaySchema } from '@/lib/relays/schemas';
import { updateRelay } from '@/lib/relays/update-relay';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params }, async ({ actor, params }) => ({ relay: await getRelay(getDb(), { actor, id: params.id }) }));

export const PATCH = jsonRoute({ permission: 'relays.manage', params, body: updateRelaySchema }, async ({ actor, params, body }) => ({
  relay: await updateRelay(getDb(), { actor, relayId: params.id, input: body }),
}));
