import { getDb } from '@/db/client';
import { createGroup } from '@/lib/groups/create-group';
import { listGroups } from '@/lib/groups/list-groups';
import { createGroupSchema } from '@/lib/groups/schemas';
import { jsonRoute } from '@/lib/http/json-route';

export const GET = jsonRoute({ permission: 'admin.view' }, async ({ actor }) => ({ groups: await listGroups(getDb(), { actor }) }));

export const POST = jsonRoute({ permission: 'deploy.manage', body: createGroupSchema }, async ({ actor, body }) => {
  const group = await createGroup(getDb(), { actor, input: body });
  return Response.json({ group: { id: group.id, name: group.name, description: group.description, windows: group.windows } }, { status: 201 });
});
