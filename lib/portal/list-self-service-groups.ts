import { asc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machineGroups } from '@/db/schema';
import type { Actor } from '@/lib/auth/permissions';
import { checkGuardrails } from '@/lib/schedule/guardrails';
import { loadOwnedMachine } from './owned-machine';

/**
 * For one of the user's machines: the groups users may join themselves, with their description,
 * their guardrails, whether the machine is in each and, if not, what would stop it joining; and
 * the groups an admin put it in, by name only (they shape its windows and what it gets).
 */
export async function listSelfServiceGroups(db: Db, { actor, machineId }: { actor: Actor | null; machineId: string }) {
  const { machine } = await loadOwnedMachine(db, actor, machineId);
  const [selfService, memberOf] = await Promise.all([
    db
      .select({ id: machineGroups.id, name: machineGroups.name, description: machineGroups.description, windowEnvelope: machineGroups.windowEnvelope, minOpenMinutes: machineGroups.minOpenMinutes })
      .from(machineGroups)
      .where(eq(machineGroups.selfService, true))
      .orderBy(asc(machineGroups.name)),
    db.select({ id: machineGroups.id, name: machineGroups.name, selfService: machineGroups.selfService }).from(groupMembers).innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId)).where(eq(groupMembers.machineId, machine.id)).orderBy(asc(machineGroups.name)),
  ]);
  const member = new Set(memberOf.map((g) => g.id));
  return {
    machine: { id: machine.id, hostname: machine.hostname, timeZone: machine.timeZone, windows: machine.windows },
    groups: selfService.map((g) => {
      const isMember = member.has(g.id);
      // The same check the join makes, so the page can say why before anyone presses Join.
      const [problem] = !isMember && machine.windows ? checkGuardrails(machine.windows, [{ groupId: g.id, groupName: g.name, windowEnvelope: g.windowEnvelope, minOpenMinutes: g.minOpenMinutes }]) : [];
      return { ...g, member: isMember, joinProblem: problem?.message ?? null };
    }),
    managedGroups: memberOf.filter((g) => !g.selfService).map((g) => ({ id: g.id, name: g.name })),
  };
}
