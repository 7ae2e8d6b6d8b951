import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { catalogQuerySchema, listCatalog } from '@/lib/portal/list-catalog';

export const GET = jsonRoute({ permission: 'portal.use', query: catalogQuerySchema }, async ({ actor, request }) => {
  const { query: _query, ...catalog } = await listCatalog(getDb(), { actor, query: Object.fromEntries(request.nextUrl.searchParams) });
  return catalog;
});
