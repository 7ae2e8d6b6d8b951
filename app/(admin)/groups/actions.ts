'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { addGroupMembers } from '@/lib/groups/add-group-members';
import { createGroup } from '@/lib/groups/create-group';
import { removeGroupMembers } from '@/lib/groups/remove-group-members';
import { editGroupBlackout } from '@/lib/groups/set-group-blackout';
import { setGroupWindows } from '@/lib/groups/set-group-windows';
import { serverAction } from '@/lib/http/server-action';
import { checkedValues, parseWindowsField } from '@/lib/http/form-fields';


export const createGroupAction = serverAction(
  { permission: 'deploy.manage', input: z.object({ name: z.string(), description: z.string().optional() }), revalidate: ['/groups'] },
  async ({ actor, input }) => {
    const group = await createGroup(getDb(), { actor, input: { name: input.name, description: input.description ?? '' } });
    redirect(`/groups/${group.id}`);
  },
);

export const addGroupMembersAction = serverAction({ permission: 'deploy.manage', input: z.object({ id: z.string().min(1), machineIds: checkedValues }), revalidate: ['/groups'] }, async ({ actor, input }) => {
  const { joined, assignments } = await addGroupMembers(getDb(), { actor, groupId: input.id, input: { machineIds: input.machineIds } });
  return `${joined} machine(s) joined${assignments ? `; ${assignments} assignment(s) from the group’s jobs` : ''}.`;
});

export const removeGroupMemberAction = serverAction({ permission: 'deploy.manage', input: z.object({ id: z.string().min(1), machineId: z.string().min(1) }), revalidate: ['/groups'] }, async ({ actor, input }) => {
  await removeGroupMembers(getDb(), { actor, groupId: input.id, input: { machineIds: [input.machineId] } });
  return 'Removed from the group. It keeps what it has and gets nothing new from the group.';
});

export const setGroupWindowsAction = serverAction({ permission: 'deploy.manage', input: z.object({ id: z.string().min(1), windows: z.string() }), revalidate: ['/groups'] }, async ({ actor, input }) => {
  await setGroupWindows(getDb(), { actor, groupId: input.id, input: { windows: parseWindowsField(input.windows) } });
  return 'Default windows saved. Members without windows of their own pick them up on their next poll.';
});

/** The blackout card: the one date to add, or the one to remove (the button pressed). */
export const setGroupBlackoutAction = serverAction(
  { permission: 'deploy.manage', input: z.object({ id: z.string().min(1), add: z.string().optional(), remove: z.string().optional() }), revalidate: ['/groups'] },
  async ({ actor, input }) => {
    if (input.remove) {
      await editGroupBlackout(getDb(), { actor, groupId: input.id, input: { remove: input.remove } });
      return `${input.remove} removed. Member machines learn it on their next poll.`;
    }
    await editGroupBlackout(getDb(), { actor, groupId: input.id, input: { add: input.add ?? '' } });
    return `${input.add} added. Member machines learn it on their next poll.`;
  },
);
