import { Badge, type BadgeTone } from '@/app/_components/ui';
import { doneOf } from '@/lib/jobs/job-counts';
import type { HistoryEntry } from '@/lib/portal/list-my-history';

const TONE: Record<HistoryEntry['outcome'], BadgeTone> = { installed: 'green', failed: 'red', skipped: 'amber', cancelled: 'gray', expired: 'gray' };
const LABEL: Record<HistoryEntry['outcome'], string> = { installed: 'Installed', failed: 'Failed', skipped: 'Skipped', cancelled: 'Cancelled', expired: 'Expired' };

/** An attempt's outcome; for an uninstall "installed" reads as "Removed", for an inventory "Done". */
export function OutcomeBadge({ outcome, jobKind }: { outcome: HistoryEntry['outcome']; jobKind: HistoryEntry['jobKind'] }) {
  const label = outcome === 'installed' ? doneOf(jobKind).label : LABEL[outcome];
  return <Badge tone={TONE[outcome]}>{label}</Badge>;
}
