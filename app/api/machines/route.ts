import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { listMachines, listMachinesQuerySchema } from '@/lib/machines/list-machines';

export const GET = jsonRoute({ permission: 'admin.view', query: listMachinesQuerySchema }, ({ actor, query }) => listMachines(getDb(), { actor, query }));
