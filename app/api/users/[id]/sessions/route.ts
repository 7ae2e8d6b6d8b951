import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { endSessions } from '@/lib/users/end-sessions';

export const DELETE = jsonRoute({ permission: 'users.manage', params: z.object({ id: z.string() }) }, ({ actor, params }) =>
  endSessions(getDb(), { actor, userId: params.id }),
);
