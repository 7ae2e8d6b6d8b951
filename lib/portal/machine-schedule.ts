import type { Db } from '@/db/client';
import type { Machine } from '@/db/schema';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { effectiveWindows, groupDefaults } from '@/lib/machines/get-plan';

export interface MachineSchedule {
  windows: InstallationWindow[];
  timeZone: string;
  blackoutDates: string[];
}

/** The windows, zone and blackout dates the machine's plan carries: what its agent schedules by. */
export async function machineSchedule(db: Db, machine: Pick<Machine, 'id' | 'windows' | 'timeZone'>, now: Date): Promise<MachineSchedule> {
  const groups = await groupDefaults(db, machine.id, now);
  return { windows: effectiveWindows(machine.windows, groups.windows), timeZone: machine.timeZone, blackoutDates: groups.blackoutDates };
}
