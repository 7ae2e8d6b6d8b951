import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relays } from '@/db/schema';
import { bearerToken } from '@/lib/tokens/resolve-token-actor';
import { hashToken, looksLikeToken, PREFIX } from '@/lib/tokens/token-secret';

export interface RelayIdentity {
  id: string;
  name: string;
}

/**
 * The relay behind `Authorization: Bearer dpr_…`: one lookup on the unique token index, like a
 * machine token. Unknown and revoked relays are null (a revoked relay stops at once).
 */
export async function resolveRelay(db: Db, authorization: string | undefined): Promise<RelayIdentity | null> {
  const token = bearerToken(authorization);
  if (!token || !looksLikeToken(token, PREFIX.relayToken)) return null;
  const [row] = await db.select({ id: relays.id, name: relays.name, revokedAt: relays.revokedAt }).from(relays).where(eq(relays.tokenHash, hashToken(token))).limit(1);
  if (!row || row.revokedAt) return null;
  return { id: row.id, name: row.name };
}
