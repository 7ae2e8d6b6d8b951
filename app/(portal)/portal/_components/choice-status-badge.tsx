import { Badge, type BadgeTone } from '@/app/_components/ui';
import type { AssignmentState } from '@/db/schema';

/**
 * Where a package stands on one of the user's machines, in the portal's words: an offer is
 * "Offered", "Chosen" once picked (until its installer starts), "Rejected" when declined; an
 * uninstall the user asked for since it was installed reads "Uninstalling" and then "Removed".
 */
export function choiceStatus(state: AssignmentState, removal: AssignmentState | null = null): { label: string; tone: BadgeTone } {
  if (state === 'installed' && removal) {
    if (removal === 'installed') return { label: 'Removed', tone: 'gray' };
    if (['pending', 'downloading', 'ready', 'installing'].includes(removal)) return { label: 'Uninstalling', tone: 'amber' };
  }
  switch (state) {
    case 'offered':
      return { label: 'Offered', tone: 'violet' };
    case 'pending':
    case 'downloading':
    case 'ready':
      return { label: 'Chosen', tone: 'blue' };
    case 'installing':
      return { label: 'Installing', tone: 'blue' };
    case 'installed':
      return { label: 'Installed', tone: 'green' };
    case 'declined':
      return { label: 'Rejected', tone: 'gray' };
    case 'failed':
      return { label: 'Failed', tone: 'red' };
    case 'skipped':
      return { label: 'Skipped', tone: 'amber' };
    case 'held':
      return { label: 'Paused', tone: 'amber' };
    default:
      return { label: state.charAt(0).toUpperCase() + state.slice(1), tone: 'gray' };
  }
}

export function ChoiceStatusBadge({ state, removal }: { state: AssignmentState; removal?: AssignmentState | null }) {
  const { label, tone } = choiceStatus(state, removal ?? null);
  return <Badge tone={tone}>{label}</Badge>;
}
