import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { selectOfferSchema } from '@/lib/portal/schemas';
import { selectOffer } from '@/lib/portal/select-offer';

const params = z.object({ id: z.string() });

export const POST = jsonRoute({ permission: 'portal.use', params, body: selectOfferSchema }, async ({ actor, params, body }) => {
  const { selected } = await selectOffer(getDb(), { actor, input: { ...body, machineIds: [params.id] } });
  return selected[0];
});
