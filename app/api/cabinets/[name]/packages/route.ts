import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { listPackages } from '@/lib/packages/list-packages';

// POST (the upload itself) is answered by server.ts's fast path: lib/packages/upload-request.ts.
export const GET = jsonRoute(
  { permission: 'admin.view', params: z.object({ name: z.string() }), query: z.object({ q: z.string().optional(), page: z.string().optional() }) },
  ({ actor, params, query }) => listPackages(getDb(), { actor, query: { cabinet: params.name, q: query.q, page: query.page } }),
);
