import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relays, type Relay } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/** The relay row, locked for the caller's transaction when asked; `field` names the input that gave the id. */
export async function loadRelay(tx: Db, id: string, { forUpdate = false, field }: { forUpdate?: boolean; field?: string } = {}): Promise<Relay> {
  const query = tx.select().from(relays).where(eq(relays.id, id));
  const [row] = isUuid(id) ? (forUpdate ? await query.for('update') : await query) : [];
  if (!row) throw new AppError('not_found', { field, message: `${field ? `${field}: ` : ''}no relay system with id ${id}` });
  return row;
}

/** A relay that machines may be sent to or orders given to: not revoked (409 naming the field). */
export function requireActive(relay: Relay, field?: string): Relay {
  if (relay.revokedAt) throw new AppError('conflict', { field, message: `${field ? `${field}: ` : ''}relay system "${relay.name}" is revoked` });
  return relay;
}
