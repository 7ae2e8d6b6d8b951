import { getDb } from '@/db/client';
import { listAudit, listAuditQuerySchema } from '@/lib/audit/list-audit';
import { jsonRoute } from '@/lib/http/json-route';

export const GET = jsonRoute({ permission: 'audit.view', query: listAuditQuerySchema }, ({ actor, query }) => listAudit(getDb(), { actor, query }));
