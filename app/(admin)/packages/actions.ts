'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { getProcessContentStore } from '@/lib/content/store';
import { serverAction } from '@/lib/http/server-action';
import { deletePackage } from '@/lib/packages/delete-package';
import { updatePackage } from '@/lib/packages/update-package';

const id = z.string({ message: 'expected a package id' }).min(1, 'expected a package id');

export const updatePackageAction = serverAction(
  {
    permission: 'deploy.manage',
    input: z.object({ id, description: z.string().default(''), category: z.string().default(''), selfService: z.string().optional() }),
  },
  async ({ actor, input }) => {
    await updatePackage(getDb(), {
      actor,
      id: input.id,
      input: { description: input.description, category: input.category, selfService: input.selfService === 'on' },
    });
    return 'Saved.';
  },
);

export const deletePackageAction = serverAction({ permission: 'deploy.manage', input: z.object({ id, cabinet: z.string() }), revalidate: ['/packages', '/cabinets'] }, async ({ actor, input }) => {
  await deletePackage(getDb(), { actor, id: input.id, store: getProcessContentStore().store });
  redirect(`/cabinets/${encodeURIComponent(input.cabinet)}`);
});
