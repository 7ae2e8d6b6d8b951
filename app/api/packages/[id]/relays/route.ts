import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { getPackageRelays } from '@/lib/relays/get-package-relays';

export const GET = jsonRoute({ permission: 'admin.view', params: z.object({ id: z.string() }) }, async ({ actor, params }) => ({ package: await getPackageRelays(getDb(), { actor, id: params.id }) }));
