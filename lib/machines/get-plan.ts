import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import type { Plan } from '@/lib/contract/agent-api';
import { AppError } from '@/lib/errors';

// How often agents poll, and how much each adds at random so a fleet does not poll in step.
export const POLL = { seconds: 60, jitterSeconds: 30 } as const;

/**
 * What the server tells one agent. Windows and assignments come with the jobs and portal
 * issues; until then a plan says "install any time, nothing to do".
 */
export async function getPlan(db: Db, machineId: string): Promise<Plan> {
  const [m] = await db.select({ id: machines.id, planVersion: machines.planVersion, timeZone: machines.timeZone }).from(machines).where(eq(machines.id, machineId));
  if (!m) throw new AppError('unauthorized', { message: 'This machine is not enrolled.' });
  return { machineId: m.id, version: m.planVersion, pollSeconds: POLL.seconds, jitterSeconds: POLL.jitterSeconds, timeZone: m.timeZone, windows: [], assignments: [] };
}
