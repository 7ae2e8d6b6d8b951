'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { createCabinet } from '@/lib/cabinets/create-cabinet';
import { deleteCabinet } from '@/lib/cabinets/delete-cabinet';
import { createCabinetSchema } from '@/lib/cabinets/schemas';
import { getProcessContentStore } from '@/lib/content/store';
import { serverAction } from '@/lib/http/server-action';

export const createCabinetAction = serverAction({ permission: 'deploy.manage', input: createCabinetSchema, revalidate: ['/cabinets'] }, async ({ actor, input }) => {
  const cabinet = await createCabinet(getDb(), { actor, input });
  return `Cabinet ${cabinet.name} is ready for packages.`;
});

export const deleteCabinetAction = serverAction(
  { permission: 'deploy.manage', input: z.object({ name: z.string().min(1, 'expected a cabinet name'), confirm: z.string().optional() }), revalidate: ['/cabinets', '/packages'] },
  async ({ actor, input }) => {
    await deleteCabinet(getDb(), { actor, name: input.name, confirm: input.confirm || undefined, store: getProcessContentStore().store });
    redirect('/cabinets');
  },
);
