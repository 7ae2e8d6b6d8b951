import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { prepareRegistration } from '@/lib/packages/prepare-registration';

/** Checks a manifest against a cabinet before any content is sent (depot-pack and the upload page). */
export const POST = jsonRoute({ permission: 'deploy.manage', params: z.object({ name: z.string() }), body: z.unknown() }, async ({ actor, params, body }) => {
  const { cabinet, manifest } = await prepareRegistration(getDb(), { actor, cabinetName: params.name, manifest: body, manifestField: 'body' });
  return { ok: true, cabinet: cabinet.name, packageId: manifest.packageId, version: manifest.version, generation: manifest.generation ?? null };
});
