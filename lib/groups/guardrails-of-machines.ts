import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machineGroups } from '@/db/schema';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { checkGuardrails, type GroupGuardrails, type GuardrailViolation } from '@/lib/schedule/guardrails';
import { pgArray } from '@/lib/sql';

/** The guardrails of every group each machine is in, by group name; machines in no group are absent. */
export async function guardrailsOfMachines(db: Db, machineIds: readonly string[]): Promise<Map<string, GroupGuardrails[]>> {
  const byMachine = new Map<string, GroupGuardrails[]>();
  if (machineIds.length === 0) return byMachine;
  const rows = await db
    .select({ machineId: groupMembers.machineId, groupId: machineGroups.id, groupName: machineGroups.name, windowEnvelope: machineGroups.windowEnvelope, minOpenMinutes: machineGroups.minOpenMinutes })
    .from(groupMembers)
    .innerJoin(machineGroups, eq(machineGroups.id, groupMembers.groupId))
    .where(sql`${groupMembers.machineId} = any(${pgArray(machineIds)}::uuid[])`)
    .orderBy(asc(machineGroups.name));
  for (const { machineId, ...g } of rows) byMachine.set(machineId, [...(byMachine.get(machineId) ?? []), g]);
  return byMachine;
}

/**
 * Which machines' own windows break their groups' guardrails now (an admin tightened them after
 * the user chose, or set the windows himself): shown on the admin pages, never rewritten, since
 * the user chose those hours. Machines following their groups' defaults (own windows null) are
 * not checked: the guardrails limit what users choose, and the defaults are the admins' own.
 */
export async function guardrailViolationsOf(db: Db, machines: readonly { id: string; windows: InstallationWindow[] | null }[]): Promise<Map<string, GuardrailViolation[]>> {
  const own = machines.filter((m) => m.windows !== null);
  const guardrails = await guardrailsOfMachines(db, own.map((m) => m.id));
  const out = new Map<string, GuardrailViolation[]>();
  for (const m of own) {
    const v = checkGuardrails(m.windows!, guardrails.get(m.id) ?? []);
    if (v.length) out.set(m.id, v);
  }
  return out;
}
