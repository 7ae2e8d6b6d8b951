import type { Db } from '@/db/client';
import { relays } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, parseInput } from '@/lib/errors';
import { generateSecret, PREFIX } from '@/lib/tokens/token-secret';
import { loadRelay, requireActive } from './load-relay';
import { createRelaySchema, type CreateRelayInput } from './schemas';

export interface CreateRelayOptions {
  actor: Actor | null;
  input: CreateRelayInput;
}

export interface CreatedRelay {
  id: string;
  name: string;
  url: string;
  parentId: string | null;
  prefix: string;
  /** Shown once; only its SHA-256 is stored. depot-relay --token takes it. */
  token: string;
}

/**
 * Registers a relay system. No machine downloads from it until an admin sets it on machines or
 * groups, so no plan changes here.
 */
export async function createRelay(db: Db, { actor, input }: CreateRelayOptions): Promise<CreatedRelay> {
  const admin = requirePermission(actor, 'relays.manage');
  const data = parseInput(createRelaySchema, input, 'body');
  const secret = generateSecret(PREFIX.relayToken);
  try {
    return await db.transaction(async (tx) => {
      // Locked, so the parent cannot be revoked while its child is being created.
      if (data.parentId) requireActive(await loadRelay(tx, data.parentId, { forUpdate: true, field: 'parentId' }), 'parentId');
      const [row] = await tx
        .insert(relays)
        .values({ name: data.name, url: data.url, parentId: data.parentId, description: data.description, tokenHash: secret.hash, prefix: secret.prefix, createdBy: admin.id })
        .returning();
      await writeAudit(tx, { actor: admin, action: 'relay.create', targetType: 'relay', targetId: row.id, targetLabel: row.name, after: { name: row.name, url: row.url, parentId: row.parentId, prefix: row.prefix } });
      return { id: row.id, name: row.name, url: row.url, parentId: row.parentId, prefix: row.prefix, token: secret.token };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'relays_name_idx')) throw new AppError('conflict', { field: 'name', message: `name: a relay system named "${data.name}" already exists` });
    throw error;
  }
}
