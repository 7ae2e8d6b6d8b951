import type { AssignmentState, JobKind } from '@/db/schema';
import { doneOf } from '@/lib/jobs/job-counts';
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
export function AssignmentStateBadge({ state, jobKind }: { state: AssignmentState; jobKind?: JobKind }) {
  const label = state === 'installed' && jobKind ? doneOf(jobKind).label : LABEL[state];
  return <Badge tone={TONE[state]}>{label}</Badge>;
}
