import { Badge } from '@/app/_components/ui';
import type { MachineState } from '@/lib/portal/machine-view';
import { relativeTime } from '@/lib/schedule/relative-time';

/** Online / Offline / Never seen, with when the agent last checked in. */
export function MachineStateBadge({ state, lastSeenAt, now }: { state: MachineState; lastSeenAt: string | null; now: Date }) {
  return (
    <div>
      {state === 'online' ? <Badge tone="green">Online</Badge> : state === 'offline' ? <Badge>Offline</Badge> : <Badge tone="amber">Never seen</Badge>}
      <div className="mt-0.5 text-xs text-slate-500">{lastSeenAt ? `seen ${relativeTime(new Date(lastSeenAt), now)}` : 'its agent has not checked in yet'}</div>
    </div>
  );
}
