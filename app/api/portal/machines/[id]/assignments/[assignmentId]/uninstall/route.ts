import { z } from 'zod';
import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { uninstallOwn } from '@/lib/portal/uninstall-own';

const params = z.object({ id: z.string(), assignmentId: z.string() });

/** Creates a one-machine uninstall job for a self-service package the user installed: 201 with the job. */
export const POST = jsonRoute({ permission: 'portal.use', params }, async ({ actor, params }) => Response.json(await uninstallOwn(getDb(), { actor, machineId: params.id, assignmentId: params.assignmentId }), { status: 201 }));
