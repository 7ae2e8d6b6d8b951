import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { machineGroups, type MachineGroup } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { calendarDateSchema, oldestRelevantBlackoutDate } from '@/lib/contract/blackout-dates';
import { parseInput } from '@/lib/errors';
import { bumpMemberPlans } from './bump-member-plans';
import { loadGroupForUpdate } from './load-group';
import { groupBlackoutSchema } from './schemas';

export interface SetGroupBlackoutOptions {
  actor: Actor | null;
  groupId: string;
  /** `{ blackoutDates: ["YYYY-MM-DD", …] }`: the whole list, replacing the group's. */
  input: unknown;
  now?: Date;
}

/**
 * Sets the days on which nothing installs on the group's members (each in the machine's own
 * zone; deadlines wait too) and bumps the members' plans, so their agents learn it on the next
 * poll. Dates are stored merged and sorted; dates before yesterday are dropped, as they can no
 * longer hold anything back and would only crowd the limit.
 */
export async function setGroupBlackout(db: Db, { actor, groupId, input, now = new Date() }: SetGroupBlackoutOptions) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { blackoutDates } = parseInput(groupBlackoutSchema, input, 'body');
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    return writeBlackout(tx, deployer, group, blackoutDates, now);
  });
}

export const editGroupBlackoutSchema = z
  .object({ add: calendarDateSchema.optional(), remove: calendarDateSchema.optional() })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.add && !v.remove) ctx.addIssue({ code: 'custom', path: ['add'], message: 'expected a date YYYY-MM-DD to add (or one to remove)' });
  });

/**
 * Adds or removes one date against the list as stored (under the group's lock), so two people
 * editing the same group at once both keep their change; the page's card uses this.
 */
export async function editGroupBlackout(db: Db, { actor, groupId, input, now = new Date() }: SetGroupBlackoutOptions) {
  const deployer = requirePermission(actor, 'deploy.manage');
  const { add, remove } = parseInput(editGroupBlackoutSchema, input, 'body');
  return db.transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, groupId);
    const next = group.blackoutDates.filter((d) => d !== remove).concat(add ? [add] : []);
    const { blackoutDates } = parseInput(groupBlackoutSchema, { blackoutDates: next }, 'body');
    return writeBlackout(tx, deployer, group, blackoutDates, now);
  });
}

async function writeBlackout(tx: Db, actor: Actor, group: MachineGroup, dates: string[], now: Date) {
  const oldest = oldestRelevantBlackoutDate(now);
  const blackoutDates = dates.filter((d) => d >= oldest);
  await tx.update(machineGroups).set({ blackoutDates }).where(eq(machineGroups.id, group.id));
  await bumpMemberPlans(tx, group.id);
  await writeAudit(tx, { actor, action: 'group.blackout', targetType: 'group', targetId: group.id, targetLabel: group.name, before: { blackoutDates: group.blackoutDates }, after: { blackoutDates } });
  return { blackoutDates };
}
