import { eq, sql } from 'drizzle-orm';
import { IANAZone } from 'luxon';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { inventorySchema } from '@/lib/contract/agent-api';
import { AppError, parseInput } from '@/lib/errors';

/**
 * Stores what an agent reports about its machine. A changed time zone bumps the plan version:
 * the machine's installation windows are read in its own zone.
 */
export async function recordInventory(db: Db, { machineId, input, now = new Date() }: { machineId: string; input: unknown; now?: Date }): Promise<{ planVersion: number }> {
  const inventory = parseInput(inventorySchema, input, 'body');
  if (!IANAZone.isValidZone(inventory.timeZone)) {
    throw new AppError('invalid_input', { field: 'timeZone', message: `timeZone: unknown time zone "${inventory.timeZone}" (expected an IANA name such as Europe/Berlin)` });
  }
  const [row] = await db
    .update(machines)
    .set({
      hostname: inventory.hostname,
      facts: { ...inventory, reportedAt: now.toISOString() },
      planVersion: sql`case when ${machines.timeZone} <> ${inventory.timeZone} then ${machines.planVersion} + 1 else ${machines.planVersion} end`,
      timeZone: inventory.timeZone,
      lastSeenAt: now,
    })
    .where(eq(machines.id, machineId))
    .returning({ planVersion: machines.planVersion });
  if (!row) throw new AppError('unauthorized', { message: 'This machine is not enrolled.' });
  return row;
}
