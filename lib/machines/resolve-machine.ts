import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { bearerToken } from '@/lib/tokens/resolve-token-actor';
import { hashToken, looksLikeToken, PREFIX } from '@/lib/tokens/token-secret';

export interface MachineIdentity {
  id: string;
  planVersion: number;
  lastSeenAt: Date | null;
}

/**
 * The machine behind `Authorization: Bearer dpm_…`: one lookup on the unique token index (the
 * hot path of every poll). Unknown and retired machines are null.
 */
export async function resolveMachine(db: Db, authorization: string | undefined): Promise<MachineIdentity | null> {
  const token = bearerToken(authorization);
  if (!token || !looksLikeToken(token, PREFIX.machineToken)) return null;
  const [row] = await db
    .select({ id: machines.id, planVersion: machines.planVersion, lastSeenAt: machines.lastSeenAt, retiredAt: machines.retiredAt })
    .from(machines)
    .where(eq(machines.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || row.retiredAt) return null;
  return { id: row.id, planVersion: row.planVersion, lastSeenAt: row.lastSeenAt };
}

/** How often last seen is written at most: not on every poll, so an idle fleet costs reads only. */
export const LAST_SEEN_EVERY_MS = 5 * 60_000;

export async function touchMachine(db: Db, machine: MachineIdentity, now: Date, everyMs = LAST_SEEN_EVERY_MS): Promise<void> {
  if (machine.lastSeenAt && now.getTime() - machine.lastSeenAt.getTime() < everyMs) return;
  await db.update(machines).set({ lastSeenAt: now }).where(eq(machines.id, machine.id));
}
