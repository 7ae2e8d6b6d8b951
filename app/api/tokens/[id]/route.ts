import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { revokeToken } from '@/lib/tokens/revoke-token';

export const DELETE = jsonRoute({ permission: 'tokens.manage', params: z.object({ id: z.string() }) }, ({ actor, params }) =>
  revokeToken(getDb(), { actor, tokenId: params.id }),
);
