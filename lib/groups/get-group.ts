import { asc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, jobGroups, jobs, machineGroups, machines, relays } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { guardrailViolationsOf } from './guardrails-of-machines';

/** A group with its members, the jobs sent to it and its relay (said to be revoked when it is). */
export async function getGroup(db: Db, { actor, id }: { actor: Actor | null; id: string }) {
  requirePermission(actor, 'admin.view');
  const [group] = isUuid(id) ? await db.select().from(machineGroups).where(eq(machineGroups.id, id)) : [];
  if (!group) throw new AppError('not_found', { message: `No group with id ${id}.` });
  const [members, groupJobs, [relay]] = await Promise.all([
    db
      .select({ id: machines.id, hostname: machines.hostname, timeZone: machines.timeZone, ownWindows: machines.windows, addedAt: groupMembers.addedAt })
      .from(groupMembers)
      .innerJoin(machines, eq(machines.id, groupMembers.machineId))
      .where(eq(groupMembers.groupId, group.id))
      .orderBy(asc(machines.hostname)),
    db.select({ id: jobs.id, name: jobs.name, kind: jobs.kind, state: jobs.state }).from(jobGroups).innerJoin(jobs, eq(jobs.id, jobGroups.jobId)).where(eq(jobGroups.groupId, group.id)),
    group.relayId ? db.select({ id: relays.id, name: relays.name, revokedAt: relays.revokedAt }).from(relays).where(eq(relays.id, group.relayId)) : [],
  ]);
  // Members whose own windows break the guardrails of any of their groups (this one or another).
  const violations = await guardrailViolationsOf(db, members.map((m) => ({ id: m.id, windows: m.ownWindows })));
  return { ...group, members: members.map((m) => ({ ...m, guardrailViolations: violations.get(m.id) ?? [] })), jobs: groupJobs, relay: relay ? { id: relay.id, name: relay.name, revoked: relay.revokedAt !== null } : null };
}
