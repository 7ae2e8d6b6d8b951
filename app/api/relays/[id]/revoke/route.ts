import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { revokeRelay } from '@/lib/relays/revoke-relay';

export const POST = jsonRoute({ permission: 'relays.manage', params: z.object({ id: z.string() }) }, async ({ actor, params }) => ({
  relay: await revokeRelay(getDb(), { actor, relayId: params.id }),
}));
