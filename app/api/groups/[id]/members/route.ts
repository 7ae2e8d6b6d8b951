import { z } from 'zod';
import { getDb } from '@/db/client';
import { addGroupMembers } from '@/lib/groups/add-group-members';
import { removeGroupMembers } from '@/lib/groups/remove-group-members';
import { groupMembersSchema } from '@/lib/groups/schemas';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ id: z.string() });

/** Adds machines; those joining while the group has jobs get an assignment for each. */
export const POST = jsonRoute({ permission: 'deploy.manage', params, body: groupMembersSchema }, ({ actor, params, body }) => addGroupMembers(getDb(), { actor, groupId: params.id, input: body }));

/** Removes machines; they keep what they have. */
export const DELETE = jsonRoute({ permission: 'deploy.manage', params, body: groupMembersSchema }, ({ actor, params, body }) => removeGroupMembers(getDb(), { actor, groupId: params.id, input: body }));
