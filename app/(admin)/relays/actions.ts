'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { checkedValues } from '@/lib/http/form-fields';
import { serverAction } from '@/lib/http/server-action';
import { createRelay } from '@/lib/relays/create-relay';
import { createRelayOrders } from '@/lib/relays/create-relay-orders';
import { revokeRelay } from '@/lib/relays/revoke-relay';
import { updateRelay } from '@/lib/relays/update-relay';

// Forms send "" for "none" in selects and optional fields.
const optional = z.string().optional().transform((v) => v || undefined);
const kind = z.enum(['delete', 'prefetch'], { message: 'expected delete or prefetch' });

export const createRelayAction = serverAction(
  { permission: 'relays.manage', input: z.object({ name: z.string(), url: z.string(), parentId: optional, description: z.string().optional() }), revalidate: ['/relays'] },
  async ({ actor, input }) => {
    const created = await createRelay(getDb(), { actor, input: { name: input.name, url: input.url, parentId: input.parentId ?? null, description: input.description ?? '' } });
    return { message: `Relay system “${created.name}” registered. Copy its token now: it is not shown again.`, data: { token: created.token, id: created.id, url: created.url } };
  },
);

export const updateRelayAction = serverAction(
  { permission: 'relays.manage', input: z.object({ id: z.string().min(1), url: z.string(), parentId: optional, description: z.string().default('') }), revalidate: ['/relays/*', '/machines'] },
  async ({ actor, input }) => {
    const { plansBumped } = await updateRelay(getDb(), { actor, relayId: input.id, input: { url: input.url, parentId: input.parentId ?? null, description: input.description } });
    return plansBumped ? `Saved. ${plansBumped} machine(s) learn the new content sources on their next poll.` : 'Saved.';
  },
);

export const revokeRelayAction = serverAction({ permission: 'relays.manage', input: z.object({ id: z.string().min(1) }), revalidate: ['/relays/*', '/machines'] }, async ({ actor, input }) => {
  const { plansBumped } = await revokeRelay(getDb(), { actor, relayId: input.id });
  return `Revoked: its token is refused from now on and it stops serving.${plansBumped ? ` ${plansBumped} machine(s) download from its parent or the managing server from their next poll.` : ''}`;
});

/** One relay: delete a held content (by package, or by SHA-256 when no package uses it any more), or transfer a package to it. */
export const orderRelayAction = serverAction(
  { permission: 'relays.manage', input: z.object({ relayId: z.string().min(1), kind, packageId: optional, sha256: optional }), revalidate: ['/relays/*', '/packages/*'] },
  async ({ actor, input }) => {
    const { packageLabel } = await createRelayOrders(getDb(), { actor, relayId: input.relayId, input: { kind: input.kind, packageId: input.packageId, sha256: input.sha256 } });
    return input.kind === 'delete'
      ? `Delete of ${packageLabel} requested: the relay removes it on its next heartbeat (after the downloads running now).`
      : `Transfer of ${packageLabel} requested: the relay fetches it on its next heartbeat.`;
  },
);

/** The package page: delete from every relay at once, or transfer to the relays ticked. */
export const orderRelaysAction = serverAction(
  { permission: 'relays.manage', input: z.object({ packageId: z.string().min(1), kind, relayIds: checkedValues, all: optional }), revalidate: ['/relays/*', '/packages/*'] },
  async ({ actor, input }) => {
    const { orders, packageLabel } = await createRelayOrders(getDb(), {
      actor,
      input: input.all === 'on' ? { kind: input.kind, packageId: input.packageId, all: true } : { kind: input.kind, packageId: input.packageId, relayIds: input.relayIds.length ? input.relayIds : undefined },
    });
    return `${input.kind === 'delete' ? 'Delete' : 'Transfer'} of ${packageLabel} requested on ${orders.length} relay system(s); each carries it out on its next heartbeat.`;
  },
);
