import { EmptyState, Table, Td } from '@/app/_components/ui';
import type { InstalledByYou } from '@/lib/portal/installed-by-you';
import { formatLocal, relativeTime } from '@/lib/schedule/relative-time';
import { AssignmentActions } from '../../_components/assignment-actions';
import { ChoiceStatusBadge } from '../../_components/choice-status-badge';

/**
 * The self-service packages the user installed on this machine through offers, with Uninstall:
 * here whatever became of the offer, so ending an offer never takes the user's way to remove
 * what they chose.
 */
export function InstalledList({ rows, machineId, hostname, timeZone, now }: { rows: InstalledByYou[]; machineId: string; hostname: string; timeZone: string; now: Date }) {
  if (rows.length === 0) {
    return (
      <EmptyState icon="package" title="Nothing installed by you yet">
        Self-service software you install from the catalog is listed here, and you can remove it here.
      </EmptyState>
    );
  }
  return (
    <Table head={['Software', 'Installed', '']} caption="Installed by you on this machine">
      {rows.map((row) => (
        <tr key={row.assignmentId} data-testid={`installed-${row.assignmentId}`}>
          <Td className="whitespace-normal">
            <div className="font-medium text-slate-900">{row.software}</div>
            <div className="mt-0.5">
              <ChoiceStatusBadge state="installed" removal={row.removal} />
            </div>
          </Td>
          <Td>
            <time dateTime={row.installedAt}>
              {formatLocal(new Date(row.installedAt), timeZone, now)} <span className="text-slate-500">· {relativeTime(new Date(row.installedAt), now)}</span>
            </time>
          </Td>
          <Td className="whitespace-normal">
            <AssignmentActions
              choice={{ machineId, hostname, assignmentId: row.assignmentId, software: row.software, jobKind: 'offer', state: 'installed', runNow: false, allowInstallNow: false, uninstallable: row.uninstallable, removal: row.removal }}
            />
          </Td>
        </tr>
      ))}
    </Table>
  );
}
