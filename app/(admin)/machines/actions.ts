'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { createEnrolmentSecret, createEnrolmentSecretSchema } from '@/lib/machines/create-enrolment-secret';
import { revokeEnrolmentSecret } from '@/lib/machines/revoke-enrolment-secret';

export const createEnrolmentSecretAction = serverAction({ permission: 'secrets.manage', input: createEnrolmentSecretSchema, revalidate: ['/machines'] }, async ({ actor, input }) => {
  const created = await createEnrolmentSecret(getDb(), { actor, input });
  return { message: `Enrolment secret "${created.name}" created. Copy it now: it is not shown again.`, data: { secret: created.secret } };
});

export const revokeEnrolmentSecretAction = serverAction({ permission: 'secrets.manage', input: z.object({ id: z.string().min(1) }), revalidate: ['/machines'] }, async ({ actor, input }) => {
  await revokeEnrolmentSecret(getDb(), { actor, id: input.id });
  return 'Revoked: no new machine can enrol with it. Machines already enrolled keep working.';
});
