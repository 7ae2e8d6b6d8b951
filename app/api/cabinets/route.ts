import { getDb } from '@/db/client';
import { createCabinet } from '@/lib/cabinets/create-cabinet';
import { listCabinets } from '@/lib/cabinets/list-cabinets';
import { createCabinetSchema } from '@/lib/cabinets/schemas';
import { jsonRoute } from '@/lib/http/json-route';

export const GET = jsonRoute({ permission: 'admin.view' }, async ({ actor }) => ({ cabinets: await listCabinets(getDb(), { actor }) }));

export const POST = jsonRoute({ permission: 'deploy.manage', body: createCabinetSchema }, async ({ actor, body }) => {
  const cabinet = await createCabinet(getDb(), { actor, input: body });
  return Response.json({ cabinet: { id: cabinet.id, name: cabinet.name, description: cabinet.description } }, { status: 201 });
});
