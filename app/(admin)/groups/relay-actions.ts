'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { setGroupRelay } from '@/lib/relays/set-group-relay';

export const setGroupRelayAction = serverAction({ permission: 'relays.manage', input: z.object({ id: z.string().min(1), relayId: z.string() }), revalidate: ['/groups', '/machines', '/relays/*'] }, async ({ actor, input }) => {
  const { relay, plansBumped } = await setGroupRelay(getDb(), { actor, groupId: input.id, input: { relayId: input.relayId || null } });
  return `${relay ? `Relay set to ${relay}.` : 'Relay cleared.'} ${plansBumped ? `${plansBumped} member(s) pick it up on their next poll.` : 'No member’s download source changed (members with their own relay, or an earlier group by name with a relay, keep theirs).'}`;
});
