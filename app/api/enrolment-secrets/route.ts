import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { createEnrolmentSecret, createEnrolmentSecretSchema } from '@/lib/machines/create-enrolment-secret';
import { listEnrolmentSecrets } from '@/lib/machines/list-enrolment-secrets';

export const GET = jsonRoute({ permission: 'secrets.manage' }, async ({ actor }) => ({ enrolmentSecrets: await listEnrolmentSecrets(getDb(), { actor }) }));

export const POST = jsonRoute({ permission: 'secrets.manage', body: createEnrolmentSecretSchema }, async ({ actor, body }) =>
  Response.json({ enrolmentSecret: await createEnrolmentSecret(getDb(), { actor, input: body }) }, { status: 201 }),
);
