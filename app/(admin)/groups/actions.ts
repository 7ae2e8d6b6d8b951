'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { addGroupMembers } from '@/lib/groups/add-group-members';
import { createGroup } from '@/lib/groups/create-group';
import { removeGroupMembers } from '@/lib/groups/remove-group-members';
import { editGroupBlackout } from '@/lib/groups/set-group-blackout';
import { setGroupGuardrails } from '@/lib/groups/set-group-guardrails';
import { setGroupWindows } from '@/lib/groups/set-group-windows';
import { serverAction } from '@/lib/http/server-action';
import { checkedValues, parseWindowsField } from '@/lib/http/form-fields';
import { AppError } from '@/lib/errors';

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

/**
 * The guardrails card: self-service on or off, the envelope rows (none: anywhere) and the
 * minimum open time, entered in hours a week and stored in minutes.
 */
export const setGroupGuardrailsAction = serverAction(
  { permission: 'deploy.manage', input: z.object({ id: z.string().min(1), windowEnvelope: z.string(), selfService: z.string().optional(), minOpenHours: z.string().optional() }), revalidate: ['/groups', '/machines'] },
  async ({ actor, input }) => {
    const envelope = parseWindowsField(input.windowEnvelope, 'windowEnvelope');
    const hours = (input.minOpenHours ?? '').trim() === '' ? 0 : Number(input.minOpenHours);
    if (!Number.isFinite(hours) || hours < 0 || hours > 168) throw new AppError('invalid_input', { field: 'minOpenHours', message: 'minOpenHours: expected hours a week, from 0 to 168' });
    const { membersBreaking } = await setGroupGuardrails(getDb(), {
      actor,
      groupId: input.id,
      input: { selfService: input.selfService === 'on', windowEnvelope: Array.isArray(envelope) && envelope.length === 0 ? null : envelope, minOpenMinutes: Math.round(hours * 60) },
    });
    return `Guardrails saved. They apply the next time a user sets a machine’s windows.${membersBreaking.length ? ` The own windows of ${membersBreaking.join(', ')} break them: shown below; talk to the user or set that machine’s windows.` : ''}`;
  },
);
