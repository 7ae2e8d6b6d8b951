import type { Db } from '@/db/client';
import { auditLog } from '@/db/schema';
import type { Actor } from '@/lib/auth/permissions';
import { actorLabel } from './actor-label';

export interface WriteAuditOptions {
  /** null for the system itself (first-run seeding, the create-admin command). */
  actor: Actor | null;
  action: string;
  targetType: string;
  targetId?: string;
  targetLabel?: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Writes one audit row; call it inside the transaction that makes the change. */
export async function writeAudit(tx: Db, options: WriteAuditOptions): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: options.actor?.id ?? null,
    actorLabel: actorLabel(options.actor),
    action: options.action,
    targetType: options.targetType,
    targetId: options.targetId ?? null,
    targetLabel: options.targetLabel ?? null,
    before: options.before ?? null,
    after: options.after ?? null,
  });
}
