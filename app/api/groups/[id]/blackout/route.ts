import { z } from 'zod';
import { getDb } from '@/db/client';
import { groupBlackoutSchema } from '@/lib/groups/schemas';
import { editGroupBlackout, editGroupBlackoutSchema, setGroupBlackout } from '@/lib/groups/set-group-blackout';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ id: z.string() });

export const PUT = jsonRoute({ permission: 'deploy.manage', params, body: groupBlackoutSchema }, async ({ actor, params, body }) => ({
  group: { id: params.id, ...(await setGroupBlackout(getDb(), { actor, groupId: params.id, input: body })) },
}));

/** One change against the stored list (`{"add":"2027-12-24"}` or `{"remove":…}`): concurrent edits both stay. */
export const PATCH = jsonRoute({ permission: 'deploy.manage', params, body: editGroupBlackoutSchema }, async ({ actor, params, body }) => ({
  group: { id: params.id, ...(await editGroupBlackout(getDb(), { actor, groupId: params.id, input: body })) },
}));
