import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createRelayOrders } from '@/lib/relays/create-relay-orders';
import { relayOrderSchema } from '@/lib/relays/schemas';

/** Delete a package from this relay (`{"kind":"delete","packageId":"…"}`), or transfer it there (`"prefetch"`). */
export const POST = jsonRoute({ permission: 'relays.manage', params: z.object({ id: z.string() }), body: relayOrderSchema }, async ({ actor, params, body }) =>
  Response.json(await createRelayOrders(getDb(), { actor, relayId: params.id, input: body }), { status: 201 }),
);
