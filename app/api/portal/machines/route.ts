import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { listMyMachines } from '@/lib/portal/list-my-machines';

export const GET = jsonRoute({ permission: 'portal.use' }, ({ actor }) => listMyMachines(getDb(), { actor }));
