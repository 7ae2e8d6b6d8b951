import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { listPackages, listPackagesQuerySchema } from '@/lib/packages/list-packages';

export const GET = jsonRoute({ permission: 'admin.view', query: listPackagesQuerySchema }, ({ actor, query }) => listPackages(getDb(), { actor, query }));
