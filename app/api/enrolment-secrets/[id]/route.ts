import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { revokeEnrolmentSecret } from '@/lib/machines/revoke-enrolment-secret';

export const DELETE = jsonRoute({ permission: 'secrets.manage', params: z.object({ id: z.string() }) }, ({ actor, params }) =>
  revokeEnrolmentSecret(getDb(), { actor, id: params.id }),
);
