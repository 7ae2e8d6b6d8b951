'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { createToken, createTokenSchema } from '@/lib/tokens/create-token';
import { revokeToken } from '@/lib/tokens/revoke-token';

export const createTokenAction = serverAction({ permission: 'tokens.manage', input: createTokenSchema, revalidate: ['/tokens'] }, async ({ actor, input }) => {
  const created = await createToken(getDb(), { actor, input });
  return { message: `Token "${created.name}" created. Copy it now: it is not shown again.`, data: { token: created.token } };
});

export const revokeTokenAction = serverAction({ permission: 'tokens.manage', input: z.object({ id: z.string().min(1) }), revalidate: ['/tokens'] }, async ({ actor, input }) => {
  await revokeToken(getDb(), { actor, tokenId: input.id });
  return 'Token revoked: its next request is refused.';
});
