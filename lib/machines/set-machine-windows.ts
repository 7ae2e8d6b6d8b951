import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { installationWindowsSchema } from '@/lib/contract/installation-window';
import { parseInput } from '@/lib/errors';
import { loadMachineForUpdate } from './load-machine';

/** null clears the machine's own windows: its groups' defaults apply again, else any time. */
export const setMachineWindowsSchema = z.object({ windows: installationWindowsSchema.nullable() }).strict();
export type SetMachineWindowsInput = z.input<typeof setMachineWindowsSchema>;

/**
 * Sets a machine's own installation windows (an admin's until the portal lets its user do it) and
 * bumps its plan version, so the agent picks them up on its next poll.
 */
export async function setMachineWindows(db: Db, { actor, machineId, input }: { actor: Actor | null; machineId: string; input: unknown }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { windows } = parseInput(setMachineWindowsSchema, input, 'body');
  return db.transaction(async (tx) => {
    const before = await loadMachineForUpdate(tx, machineId);
    const [after] = await tx
      .update(machines)
      .set({ windows, planVersion: sql`${machines.planVersion} + 1` })
      .where(eq(machines.id, machineId))
      .returning({ windows: machines.windows, planVersion: machines.planVersion });
    await writeAudit(tx, { actor: deployer, action: 'machine.windows', targetType: 'machine', targetId: machineId, targetLabel: before.hostname, before: { windows: before.windows }, after: { windows } });
    return after;
  });
}
