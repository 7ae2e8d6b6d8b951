import { z } from 'zod';
import { getDb } from '@/db/client';
import { groupGuardrailsSchema } from '@/lib/groups/schemas';
import { setGroupGuardrails } from '@/lib/groups/set-group-guardrails';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ id: z.string() });

export const PUT = jsonRoute({ permission: 'deploy.manage', params, body: groupGuardrailsSchema }, async ({ actor, params, body }) => ({
  group: await setGroupGuardrails(getDb(), { actor, groupId: params.id, input: body }),
}));
