import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { serverSettings } from '@/db/schema';

/**
 * next-auth signs sessions with NEXTAUTH_SECRET. When none is configured, one is generated on
 * first start and kept in the database (for PGlite, inside the data folder), so sessions survive
 * restarts and every server behind a load balancer signs with the same secret: the first server
 * to start inserts it, the others read it.
 */
export async function loadOrCreateAuthSecret(db: Db): Promise<string> {
  await db
    .insert(serverSettings)
    .values({ key: 'nextauth_secret', value: crypto.randomBytes(48).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select({ value: serverSettings.value }).from(serverSettings).where(eq(serverSettings.key, 'nextauth_secret'));
  return row.value;
}
