import type { AssignmentState } from '@/db/schema';
import { Badge, type BadgeTone } from './ui';

const TONE: Record<AssignmentState, BadgeTone> = {
  pending: 'blue',
  offered: 'violet',
  held: 'amber',
  downloading: 'blue',
  ready: 'blue',
  installing: 'blue',
  installed: 'green',
  failed: 'red',
  skipped: 'amber',
  cancelled: 'gray',
  expired: 'gray',
  declined: 'gray',
};

const LABEL: Record<AssignmentState, string> = {
  pending: 'Pending',
  offered: 'Offered',
  held: 'Held',
  downloading: 'Downloading',
  ready: 'Downloaded',
  installing: 'Installing',
  installed: 'Installed',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
  expired: 'Expired',
  declined: 'Declined',
};

/** An assignment's state; for an uninstall job, "installed" reads as done ("Removed"). */
export function AssignmentStateBadge({ state, jobKind }: { state: AssignmentState; jobKind?: string }) {
  const label = state === 'installed' && jobKind === 'uninstall' ? 'Removed' : state === 'installed' && jobKind === 'inventory' ? 'Done' : LABEL[state];
  return <Badge tone={TONE[state]}>{label}</Badge>;
}
