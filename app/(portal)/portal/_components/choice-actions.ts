'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { checkedValues } from '@/lib/http/form-fields';
import { serverAction } from '@/lib/http/server-action';
import { declineOffer } from '@/lib/portal/decline-offer';
import { deferInstall } from '@/lib/portal/defer-install';
import { formatTime } from '@/lib/portal/format-time';
import { installNow } from '@/lib/portal/install-now';
import { restoreOffer } from '@/lib/portal/restore-offer';
import { selectOffer } from '@/lib/portal/select-offer';
import { uninstallOwn } from '@/lib/portal/uninstall-own';
import { unselectOffer } from '@/lib/portal/unselect-offer';

// The end user's choices, thin over lib/portal; the catalog and the machine page share them.
// The buttons sit on the catalog, My machines and each machine's page: refresh them all.
const revalidate = ['/portal/*'];
const one = z.object({ machineId: z.string().min(1, 'expected the machine'), assignmentId: z.string().min(1, 'expected the assignment') });

const listOf = (names: string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

export const selectOfferAction = serverAction(
  {
    permission: 'portal.use',
    input: z.object({
      packageId: z.string().optional().transform((v) => v || undefined),
      assignmentId: z.string().optional().transform((v) => v || undefined),
      machineIds: checkedValues,
      installNow: z.enum(['true', 'false'], { message: 'expected true or false' }).optional().transform((v) => v === 'true'),
    }).refine((v) => v.packageId || v.assignmentId, { path: ['packageId'], message: 'expected the package to install' }),
    revalidate,
  },
  async ({ actor, input }) => {
    const { software, selected } = await selectOffer(getDb(), { actor, input });
    const where = listOf(selected.map((s) => s.hostname));
    return input.installNow ? `${software} installs on ${where} as soon as ${selected.length === 1 ? 'it checks' : 'each checks'} in with Depot.` : `${software} chosen for ${where}: it installs in the next installation window.`;
  },
);

export const unselectOfferAction = serverAction({ permission: 'portal.use', input: one, revalidate }, async ({ actor, input }) => {
  const { label } = await unselectOffer(getDb(), { actor, ...input });
  return `Changed your mind: ${label} will not install; it stays offered.`;
});

export const declineOfferAction = serverAction({ permission: 'portal.use', input: one, revalidate }, async ({ actor, input }) => {
  const { label } = await declineOffer(getDb(), { actor, ...input });
  return `Rejected ${label}. Turn on “Show rejected” in the catalog to see it again.`;
});

export const restoreOfferAction = serverAction({ permission: 'portal.use', input: one, revalidate }, async ({ actor, input }) => {
  const { label } = await restoreOffer(getDb(), { actor, ...input });
  return `${label} is offered again.`;
});

export const installNowAction = serverAction({ permission: 'portal.use', input: one, revalidate }, async ({ actor, input }) => {
  const { label } = await installNow(getDb(), { actor, ...input });
  return `${label} installs as soon as the machine checks in with Depot.`;
});

export const deferInstallAction = serverAction({ permission: 'portal.use', input: one, revalidate }, async ({ actor, input }) => {
  const d = await deferInstall(getDb(), { actor, ...input });
  return `Deferred: ${d.label} now installs on ${formatTime(new Date(d.expectedAt), d.timeZone)}. ${d.deferralsLeft === 0 ? 'No deferrals left.' : `${d.deferralsLeft} deferral${d.deferralsLeft === 1 ? '' : 's'} left.`}`;
});

export const uninstallOwnAction = serverAction({ permission: 'portal.use', input: one, revalidate }, async ({ actor, input }) => {
  const { label } = await uninstallOwn(getDb(), { actor, ...input });
  return `Uninstall requested: ${label} is removed as soon as the machine checks in with Depot.`;
});
