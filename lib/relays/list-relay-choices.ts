import { asc, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relays } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

export interface RelayChoice {
  id: string;
  name: string;
  url: string;
  parentId: string | null;
}

/** The relays machines, groups, parents and orders may name (not revoked), by name: the pages' selectors. */
export async function listRelayChoices(db: Db, { actor }: { actor: Actor | null }): Promise<RelayChoice[]> {
  requirePermission(actor, 'admin.view');
  return db.select({ id: relays.id, name: relays.name, url: relays.url, parentId: relays.parentId }).from(relays).where(isNull(relays.revokedAt)).orderBy(asc(relays.name));
}
