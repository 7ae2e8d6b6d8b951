'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { setMachineRelay } from '@/lib/relays/set-machine-relay';

export const setMachineRelayAction = serverAction({ permission: 'relays.manage', input: z.object({ id: z.string().min(1), relayId: z.string() }), revalidate: ['/machines', '/relays/*'] }, async ({ actor, input }) => {
  const { relay, planBumped } = await setMachineRelay(getDb(), { actor, machineId: input.id, input: { relayId: input.relayId || null } });
  const where = relay ? `Relay set to ${relay}.` : 'Own relay cleared: it downloads through its groups’ relay, else from the managing server.';
  return planBumped ? `${where} Its agent picks it up on its next poll.` : `${where} Where it downloads from is unchanged.`;
});
