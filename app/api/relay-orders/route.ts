import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createRelayOrders } from '@/lib/relays/create-relay-orders';
import { relayOrderBatchSchema } from '@/lib/relays/schemas';

/** One order per relay, sharing a batch id: `{"kind":"delete","packageId":"…","all":true}` or `"relayIds":[…]`. */
export const POST = jsonRoute({ permission: 'relays.manage', body: relayOrderBatchSchema }, async ({ actor, body }) =>
  Response.json(await createRelayOrders(getDb(), { actor, input: body }), { status: 201 }),
);
