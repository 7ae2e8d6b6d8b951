import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { joinSelfServiceGroup } from '@/lib/portal/join-self-service-group';
import { leaveSelfServiceGroup } from '@/lib/portal/leave-self-service-group';

const params = z.object({ id: z.string(), groupId: z.string() });

export const POST = jsonRoute({ permission: 'portal.use', params }, async ({ actor, params }) => ({ membership: await joinSelfServiceGroup(getDb(), { actor, machineId: params.id, groupId: params.groupId }) }));

export const DELETE = jsonRoute({ permission: 'portal.use', params }, async ({ actor, params }) => ({ membership: await leaveSelfServiceGroup(getDb(), { actor, machineId: params.id, groupId: params.groupId }) }));
