import { z } from 'zod';
import { getDb } from '@/db/client';
import { AppError } from '@/lib/errors';
import { jsonRoute } from '@/lib/http/json-route';
import { isUuid } from '@/lib/ids';
import { selectOfferSchema } from '@/lib/portal/schemas';
import { selectOffer } from '@/lib/portal/select-offer';

const params = z.object({ id: z.string() });

export const POST = jsonRoute({ permission: 'portal.use', params, body: selectOfferSchema }, async ({ actor, params, body }) => {
  // The machine is in the path, not the body: a malformed one is a machine the user does not
  // have (404, as on every other portal route), not a field to correct (422 naming machineIds.0).
  if (!isUuid(params.id)) throw new AppError('not_found', { message: `You have no machine with id ${params.id}.` });
  const { selected } = await selectOffer(getDb(), { actor, input: { ...body, machineIds: [params.id] } });
  return selected[0];
});
