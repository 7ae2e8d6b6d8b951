import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getUser } from '@/lib/users/get-user';
import { updateUserSchema } from '@/lib/users/schemas';
import { updateUser } from '@/lib/users/update-user';

const params = z.object({ id: z.string() });

export const GET = jsonRoute({ permission: 'users.view', params }, async ({ actor, params }) => ({
  user: await getUser(getDb(), { actor, userId: params.id }),
}));

export const PATCH = jsonRoute({ permission: 'users.manage', params, body: updateUserSchema }, async ({ actor, params, body }) => ({
  user: await updateUser(getDb(), { actor, userId: params.id, input: body }),
}));
