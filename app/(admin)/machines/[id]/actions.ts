'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { checkedValues, parseWindowsField } from '@/lib/http/form-fields';
import { serverAction } from '@/lib/http/server-action';
import { retireMachine } from '@/lib/machines/retire-machine';
import { setMachineGroups } from '@/lib/machines/set-machine-groups';
import { setMachineOwner } from '@/lib/machines/set-machine-owner';
import { setMachineWindows } from '@/lib/machines/set-machine-windows';

// The editor sends its rows as one JSON field; setMachineWindows validates them (naming the row).
const windowsInput = z.object({ id: z.string().min(1), windows: z.string({ message: 'expected the windows' }) });

export const setMachineWindowsAction = serverAction({ permission: 'deploy.manage', input: windowsInput, revalidate: ['/machines'] }, async ({ actor, input }) => {
  const windows = parseWindowsField(input.windows);
  await setMachineWindows(getDb(), { actor, machineId: input.id, input: { windows } });
  return windows === null ? 'Windows cleared: the machine follows its groups’ defaults, else installs any time.' : 'Installation windows saved. The agent picks them up on its next poll.';
});

export const setMachineOwnerAction = serverAction({ permission: 'deploy.manage', input: z.object({ id: z.string().min(1), ownerId: z.string() }), revalidate: ['/machines'] }, async ({ actor, input }) => {
  const { owner } = await setMachineOwner(getDb(), { actor, machineId: input.id, input: { ownerId: input.ownerId || null } });
  return owner ? `Owner set to ${owner}: they see this machine in the portal.` : 'Owner cleared: no user sees this machine in the portal.';
});

export const setMachineGroupsAction = serverAction({ permission: 'deploy.manage', input: z.object({ id: z.string().min(1), groupIds: checkedValues }), revalidate: ['/machines', '/groups'] }, async ({ actor, input }) => {
  const { joined, left, assignments } = await setMachineGroups(getDb(), { actor, machineId: input.id, input: { groupIds: input.groupIds } });
  if (!joined && !left) return 'Groups unchanged.';
  return [joined ? `joined ${joined} group(s)` : '', left ? `left ${left}` : '', assignments ? `${assignments} new assignment(s) from the groups’ jobs` : ''].filter(Boolean).join('; ').replace(/^./, (c) => c.toUpperCase()) + '.';
});

export const retireMachineAction = serverAction({ permission: 'deploy.manage', input: z.object({ id: z.string().min(1) }), revalidate: ['/machines', '/groups'] }, async ({ actor, input }) => {
  const { cancelledAssignments } = await retireMachine(getDb(), { actor, machineId: input.id });
  return `Retired: its agent’s token no longer works${cancelledAssignments ? `, and ${cancelledAssignments} assignment(s) it had not started were cancelled` : ''}. Its history stays here.`;
});
