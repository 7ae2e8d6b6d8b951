import { getDb } from '@/db/client';
import { getFleetHealth } from '@/lib/dashboard/fleet-health';
import { jsonRoute } from '@/lib/http/json-route';

export const GET = jsonRoute({ permission: 'admin.view' }, ({ actor }) => getFleetHealth(getDb(), { actor, now: new Date() }));
