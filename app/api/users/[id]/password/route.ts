import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { resetPassword } from '@/lib/users/reset-password';
import { resetPasswordSchema } from '@/lib/users/schemas';

export const POST = jsonRoute(
  { permission: 'users.manage', params: z.object({ id: z.string() }), body: resetPasswordSchema },
  ({ actor, params, body }) => resetPassword(getDb(), { actor, userId: params.id, input: body }),
);
