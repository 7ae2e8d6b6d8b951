import { z } from 'zod';
import { getDb } from '@/db/client';
import { deleteCabinet } from '@/lib/cabinets/delete-cabinet';
import { getCabinet } from '@/lib/cabinets/get-cabinet';
import { getProcessContentStore } from '@/lib/content/store';
import { jsonRoute } from '@/lib/http/json-route';

const params = z.object({ name: z.string() });

export const GET = jsonRoute({ permission: 'admin.view', params, query: z.object({ page: z.string().optional() }) }, ({ actor, params, query }) =>
  getCabinet(getDb(), { actor, name: params.name, page: query.page }),
);

// DELETE /api/cabinets/<name>?confirm=<name>: the confirmation is needed while it holds packages.
export const DELETE = jsonRoute({ permission: 'deploy.manage', params, query: z.object({ confirm: z.string().max(64).optional() }) }, async ({ actor, params, query }) =>
  deleteCabinet(getDb(), { actor, name: params.name, confirm: query.confirm, store: getProcessContentStore().store }),
);
