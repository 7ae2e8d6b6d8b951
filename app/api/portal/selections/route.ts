import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { selectOffersSchema } from '@/lib/portal/schemas';
import { selectOffer } from '@/lib/portal/select-offer';

export const POST = jsonRoute({ permission: 'portal.use', body: selectOffersSchema }, async ({ actor, body }) => selectOffer(getDb(), { actor, input: body }));
