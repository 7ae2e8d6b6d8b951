import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machineGroups, machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { checkGuardrails } from '@/lib/schedule/guardrails';
import { loadGroupForUpdate } from './load-group';
import { groupGuardrailsSchema } from './schemas';

/**
 * Sets a group's guardrails: whether users may join it from the portal, the envelope their own
 * windows must lie in, and the open time a week they must keep (0 is stored as "no minimum").
 *
 * No member's plan is bumped: the plan carries windows, blackout dates and assignments, and
 * guardrails change none of them; they only limit what users may choose next. Members whose own
 * windows break the new guardrails keep them (the user chose those hours; rewriting them silently
 * would install at times nobody agreed to): the answer names them, and the group and machine
 * pages show why, so an admin can talk to the user or set the machine's windows.
 */
export async function setGroupGuardrails(db: Db, { actor, groupId, input }: { actor: Actor | null; groupId: string; input: unknown }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const parsed = parseInput(groupGuardrailsSchema, input, 'body');
  const after = { selfService: parsed.selfService, windowEnvelope: parsed.windowEnvelope, minOpenMinutes: parsed.minOpenMinutes || null };
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    await tx.update(machineGroups).set(after).where(eq(machineGroups.id, group.id));
    const members = await tx.select({ id: machines.id, hostname: machines.hostname, windows: machines.windows }).from(groupMembers).innerJoin(machines, eq(machines.id, groupMembers.machineId)).where(eq(groupMembers.groupId, group.id));
    // This group's own guardrails alone: what its members' windows break because of this change.
    const mine = [{ groupId: group.id, groupName: group.name, windowEnvelope: after.windowEnvelope, minOpenMinutes: after.minOpenMinutes }];
    const breaking = members.filter((m) => m.windows !== null && checkGuardrails(m.windows, mine).length > 0).map((m) => m.hostname).sort();
    await writeAudit(tx, {
      actor: deployer,
      action: 'group.guardrails',
      targetType: 'group',
      targetId: group.id,
      targetLabel: group.name,
      before: { selfService: group.selfService, windowEnvelope: group.windowEnvelope, minOpenMinutes: group.minOpenMinutes },
      after: { ...after, membersBreaking: breaking.length },
    });
    return { id: group.id, ...after, membersBreaking: breaking };
  });
}
