import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { guardrailsOfMachines } from '@/lib/groups/guardrails-of-machines';
import { effectiveWindows, groupDefaults } from '@/lib/machines/get-plan';
import { checkGuardrails, violationField } from '@/lib/schedule/guardrails';
import { setMyWindowsSchema } from './my-windows-schema';
import { loadOwnedMachine } from './owned-machine';
import { previewOpenings } from './preview-openings';

export interface SetMyWindowsOptions {
  actor: Actor | null;
  machineId: string;
  /** `{ windows: [...] | null, timeZone: "Europe/Berlin" }`. */
  input: unknown;
  now?: Date;
}

/**
 * The end user sets their own machine's installation windows (null: back to the groups'
 * defaults). They must be in the machine's own zone and keep to the guardrails of all its groups;
 * the first violation is refused naming the window (`windows.2`). Saving bumps the plan version,
 * so the agent picks the windows up on its next poll, and answers with the next openings.
 *
 * The groups' guardrails are read without a lock: taking the group rows here would order locks
 * machine → groups where membership changes take groups → machine. If an admin tightens a
 * guardrail at the same instant, these windows may break it; that is the state an admin's later
 * change leaves anyway, and the admin pages show it.
 */
export async function setMyWindows(db: Db, { actor, machineId, input, now = new Date() }: SetMyWindowsOptions) {
  const user = requirePermission(actor, 'portal.use');
  const { windows, timeZone } = parseInput(setMyWindowsSchema, input, 'body');
  return db.transaction(async (tx) => {
    const { machine } = await loadOwnedMachine(tx, user, machineId, { forUpdate: true });
    // Clearing means the same in any zone, so a stale page may still clear.
    if (windows && timeZone !== machine.timeZone) {
      throw new AppError('invalid_input', {
        field: 'timeZone',
        message: `timeZone: windows are in the machine’s own time zone, ${machine.timeZone} (these were meant in ${timeZone}); reload the page and check the hours.`,
      });
    }
    if (windows) {
      const guardrails = (await guardrailsOfMachines(tx, [machine.id])).get(machine.id) ?? [];
      const [first, ...more] = checkGuardrails(windows, guardrails);
      if (first) {
        const field = violationField(first);
        throw new AppError('invalid_input', { field, message: `${field}: ${first.message}${more.length ? ` (${more.length} more to fix after this one)` : ''}` });
      }
    }
    const [after] = await tx
      .update(machines)
      .set({ windows, planVersion: sql`${machines.planVersion} + 1` })
      .where(eq(machines.id, machine.id))
      .returning({ windows: machines.windows, planVersion: machines.planVersion });
    await writeAudit(tx, { actor: user, action: 'portal.windows', targetType: 'machine', targetId: machine.id, targetLabel: machine.hostname, before: { windows: machine.windows }, after: { windows, timeZone: machine.timeZone } });
    const defaults = await groupDefaults(tx, machine.id, now);
    return {
      id: machine.id,
      windows: after.windows,
      timeZone: machine.timeZone,
      planVersion: after.planVersion,
      nextOpenings: previewOpenings(effectiveWindows(after.windows, defaults.windows), machine.timeZone, now, defaults.blackoutDates),
    };
  });
}
