import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createRelay } from '@/lib/relays/create-relay';
import { listRelays } from '@/lib/relays/list-relays';
import { createRelaySchema } from '@/lib/relays/schemas';

export const GET = jsonRoute({ permission: 'admin.view' }, async ({ actor }) => ({ relays: await listRelays(getDb(), { actor }) }));

export const POST = jsonRoute({ permission: 'relays.manage', body: createRelaySchema }, async ({ actor, body }) =>
  Response.json({ relay: await createRelay(getDb(), { actor, input: body }) }, { status: 201 }),
);
