import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createUser } from '@/lib/users/create-user';
import { listUsers, listUsersQuerySchema } from '@/lib/users/list-users';
import { createUserSchema } from '@/lib/users/schemas';

export const GET = jsonRoute({ permission: 'users.view', query: listUsersQuerySchema }, ({ actor, query }) => listUsers(getDb(), { actor, query }));

export const POST = jsonRoute({ permission: 'users.manage', body: createUserSchema }, async ({ actor, body }) =>
  Response.json({ user: await createUser(getDb(), { actor, input: body }) }, { status: 201 }),
);
