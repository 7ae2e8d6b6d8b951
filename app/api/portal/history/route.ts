import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { listMyHistory, listMyHistoryQuerySchema } from '@/lib/portal/list-my-history';

export const GET = jsonRoute({ permission: 'portal.use', query: listMyHistoryQuerySchema }, ({ actor, query }) => listMyHistory(getDb(), { actor, query }));
