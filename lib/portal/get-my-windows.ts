import type { Db } from '@/db/client';
import type { Actor } from '@/lib/auth/permissions';
import { guardrailsOfMachines } from '@/lib/groups/guardrails-of-machines';
import { effectiveWindows, groupDefaults } from '@/lib/machines/get-plan';
import { checkGuardrails } from '@/lib/schedule/guardrails';
import { loadOwnedMachine } from './owned-machine';
import { previewOpenings } from './preview-openings';

/**
 * One of the user's machines for its windows page: its own windows, what applies when they are
 * cleared (its groups' defaults, else any time), the guardrails of its groups, their blackout
 * dates, and a preview of the next openings the agent will use.
 */
export async function getMyWindows(db: Db, { actor, machineId, now = new Date() }: { actor: Actor | null; machineId: string; now?: Date }) {
  const { machine } = await loadOwnedMachine(db, actor, machineId);
  const [defaults, guardrails] = await Promise.all([groupDefaults(db, machine.id, now), guardrailsOfMachines(db, [machine.id])]);
  const fromGroups = effectiveWindows(null, defaults.windows);
  const windows = effectiveWindows(machine.windows, defaults.windows);
  const groupGuardrails = guardrails.get(machine.id) ?? [];
  return {
    id: machine.id,
    hostname: machine.hostname,
    /** The zone every time here is in, and the one a save must name. */
    timeZone: machine.timeZone,
    ownWindows: machine.windows,
    /** What the agent uses now, and where it comes from. */
    windows,
    source: machine.windows ? ('own' as const) : fromGroups.length ? ('groups' as const) : ('any' as const),
    groupDefaultWindows: fromGroups,
    groups: defaults.groups,
    guardrails: groupGuardrails,
    /** Own windows that an admin's later change to the guardrails now puts out of bounds. */
    violations: machine.windows ? checkGuardrails(machine.windows, groupGuardrails) : [],
    blackoutDates: defaults.blackoutDates,
    nextOpenings: previewOpenings(windows, machine.timeZone, now, defaults.blackoutDates),
  };
}
export type MyWindows = Awaited<ReturnType<typeof getMyWindows>>;
