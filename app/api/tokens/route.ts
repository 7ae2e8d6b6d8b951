import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createToken, createTokenSchema } from '@/lib/tokens/create-token';
import { listTokens } from '@/lib/tokens/list-tokens';

export const GET = jsonRoute({ permission: 'tokens.manage' }, async ({ actor }) => ({ tokens: await listTokens(getDb(), { actor }) }));

export const POST = jsonRoute({ permission: 'tokens.manage', body: createTokenSchema }, async ({ actor, body }) =>
  Response.json({ token: await createToken(getDb(), { actor, input: body }) }, { status: 201 }),
);
