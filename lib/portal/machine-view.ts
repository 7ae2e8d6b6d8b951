import type { Machine } from '@/db/schema';
import { describeOs, isOnline } from '@/lib/machines/list-machines';
import type { TimelineOf } from './load-timelines';
import type { TimelineRow } from './timeline';

/** Online and offline by the admin machines page's rule (lib/machines/list-machines.ts); never: no poll yet. */
export type MachineState = 'online' | 'offline' | 'never';

export function machineState(lastSeenAt: Date | null, now: Date): MachineState {
  if (!lastSeenAt) return 'never';
  return isOnline(lastSeenAt, now) ? 'online' : 'offline';
}

/** One of the user's machines as My machines lists it. */
export interface MyMachineSummary {
  id: string;
  hostname: string;
  os: string | null;
  timeZone: string;
  state: MachineState;
  lastSeenAt: string | null;
  /** Installs, uninstalls and inventories still to run (held ones included). */
  pending: number;
  /** The next install or uninstall to start, if any. */
  next: TimelineRow | null;
  /** Failed attempts in the last 7 days. */
  recentFailures: number;
}

export function summarize(m: Machine, timeline: TimelineOf | undefined, failures: number, now: Date): MyMachineSummary {
  return {
    id: m.id,
    hostname: m.hostname,
    os: describeOs(m.facts.os),
    timeZone: m.timeZone,
    state: machineState(m.lastSeenAt, now),
    lastSeenAt: m.lastSeenAt?.toISOString() ?? null,
    pending: timeline?.pending.length ?? 0,
    next: timeline?.timeline.find((r) => r.event === 'install' || r.event === 'uninstall') ?? null,
    recentFailures: failures,
  };
}
