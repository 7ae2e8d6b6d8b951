'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { joinSelfServiceGroup } from '@/lib/portal/join-self-service-group';
import { leaveSelfServiceGroup } from '@/lib/portal/leave-self-service-group';

const input = z.object({ id: z.string().min(1), groupId: z.string().min(1) });

export const joinGroupAction = serverAction({ permission: 'portal.use', input, revalidate: ['/portal', '/portal/windows', '/portal/catalog'] }, async ({ actor, input }) => {
  const { group, assignments } = await joinSelfServiceGroup(getDb(), { actor, machineId: input.id, groupId: input.groupId });
  revalidatePath(`/portal/machines/${input.id}/groups`);
  return `Joined ${group.name}.${assignments ? ` ${assignments} package${assignments === 1 ? '' : 's'} from the group now reach this machine (see the catalog for optional ones).` : ''}`;
});

export const leaveGroupAction = serverAction({ permission: 'portal.use', input, revalidate: ['/portal', '/portal/windows', '/portal/catalog'] }, async ({ actor, input }) => {
  const { group } = await leaveSelfServiceGroup(getDb(), { actor, machineId: input.id, groupId: input.groupId });
  revalidatePath(`/portal/machines/${input.id}/groups`);
  return `Left ${group.name}. The machine keeps what it already has from the group and gets nothing new from it.`;
});
