import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { relays } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { rowsOf } from '@/lib/sql';
import { bumpServedPlans } from './bump-served-plans';
import { loadRelay, requireActive } from './load-relay';
import { updateRelaySchema, type UpdateRelayInput } from './schemas';

export interface UpdateRelayOptions {
  actor: Actor | null;
  relayId: string;
  input: UpdateRelayInput;
}

/**
 * Changes a relay's URL, parent or description. A new URL or parent changes the content sources
 * of every machine it serves (directly or through its child relays): their plans are bumped.
 * A parent that is the relay itself or one of its descendants would make a cycle: refused (422).
 */
export async function updateRelay(db: Db, { actor, relayId, input }: UpdateRelayOptions) {
  const admin = requirePermission(actor, 'relays.manage');
  const data = parseInput(updateRelaySchema, input, 'body');
  return db.transaction(async (tx) => {
    const relay = requireActive(await loadRelay(tx, relayId, { forUpdate: true }));
    if (data.parentId) {
      const parent = requireActive(await loadRelay(tx, data.parentId, { forUpdate: true, field: 'parentId' }), 'parentId');
      if (await isSelfOrAncestor(tx, relay.id, parent.id)) {
        throw new AppError('invalid_input', { field: 'parentId', message: `parentId: "${parent.name}" is ${parent.id === relay.id ? 'this relay itself' : `below "${relay.name}" in the chain`}; a relay cannot fetch from itself` });
      }
    }
    const next = { url: data.url ?? relay.url, parentId: data.parentId === undefined ? relay.parentId : data.parentId, description: data.description ?? relay.description };
    await tx.update(relays).set(next).where(eq(relays.id, relay.id));
    const sourcesChanged = next.url !== relay.url || next.parentId !== relay.parentId;
    const bumped = sourcesChanged ? await bumpServedPlans(tx, relay.id) : 0;
    await writeAudit(tx, {
      actor: admin,
      action: 'relay.update',
      targetType: 'relay',
      targetId: relay.id,
      targetLabel: relay.name,
      before: { url: relay.url, parentId: relay.parentId, description: relay.description },
      after: { ...next, plansBumped: bumped },
    });
    return { id: relay.id, name: relay.name, ...next, plansBumped: bumped };
  });
}

/** Whether `relayId` is `candidate` or one of its ancestors (so making `candidate` its parent closes a loop). */
async function isSelfOrAncestor(tx: Db, relayId: string, candidate: string): Promise<boolean> {
  const result = await tx.execute(sql`
    with recursive up(id) as (
      select ${candidate}::uuid
      union
      select r.parent_id from relays r join up on r.id = up.id where r.parent_id is not null
    )
    select exists (select 1 from up where id = ${relayId}) as found`);
  return !!rowsOf<{ found: boolean }>(result)[0].found;
}
