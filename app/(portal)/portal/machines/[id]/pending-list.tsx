import type { ReactNode } from 'react';
import { AssignmentStateBadge } from '@/app/_components/assignment-state-badge';
import { Badge, EmptyState, Table, Td } from '@/app/_components/ui';
import type { PendingRow } from '@/lib/portal/timeline';
import { AssignmentActions } from '../../_components/assignment-actions';
import { LocalTime } from '../../_components/local-time';

const KIND_LABEL: Record<PendingRow['kind'], string> = { install: 'Install', uninstall: 'Remove', inventory: 'Inventory' };

/**
 * What the machine still has to do, soonest first, each with the instant its agent will start it
 * (PendingRow.at, computed as the agent does), and the user's buttons for it: defer (within the
 * job's budget), install now (where the job allows it), change my mind (a chosen offer not started).
 */
export function PendingList({ rows, machineId, hostname, timeZone, now }: { rows: PendingRow[]; machineId: string; hostname: string; timeZone: string; now: Date }) {
  if (rows.length === 0) {
    return (
      <EmptyState icon="package" title="Nothing pending">
        Installs your administrators require and the software you choose in the catalog appear here with the time they will start.
      </EmptyState>
    );
  }
  return (
    <Table head={['What', 'State', 'Starts']} caption="Pending on this machine">
      {rows.map((row) => (
        <tr key={row.assignmentId} data-testid={`pending-${row.assignmentId}`}>
          <Td className="whitespace-normal">
            <div className="font-medium text-slate-900">
              {KIND_LABEL[row.kind]} {row.what}
            </div>
            <div className="mt-0.5 flex flex-wrap items-center gap-1.5 text-xs text-slate-500">
              {row.mandatory ? <Badge tone="violet">Required</Badge> : <Badge tone="blue">Your choice</Badge>}
              {/* A job named after its package ("install Firefox ESR 115") says nothing more. */}
              {row.jobName.toLowerCase().endsWith(row.what.toLowerCase()) ? null : <span>{row.jobName}</span>}
            </div>
          </Td>
          <Td>
            <AssignmentStateBadge state={row.state} jobKind={row.jobKind} />
          </Td>
          <Td className="whitespace-normal">
            <When row={row} timeZone={timeZone} now={now} />
            {row.running ? null : (
              <div className="mt-2">
                <AssignmentActions
                  choice={{ machineId, hostname, assignmentId: row.assignmentId, software: row.what, jobKind: row.jobKind, state: row.state, runNow: row.runNow, allowInstallNow: row.allowInstallNow, deferrals: row.deferrals, deferralLimit: row.deferralLimit }}
                />
              </div>
            )}
          </Td>
        </tr>
      ))}
    </Table>
  );
}

function When({ row, timeZone, now }: { row: PendingRow; timeZone: string; now: Date }) {
  let main: ReactNode;
  if (row.running) main = <span className="font-medium text-slate-900">Installing now</span>;
  else if (row.at === null) main = <span className="text-slate-600">On hold: an administrator paused this job</span>;
  else if (Date.parse(row.at) <= now.getTime()) main = <span>Now, as soon as the machine checks in</span>;
  else main = <LocalTime at={row.at} timeZone={timeZone} now={now} />;
  return (
    <div className="text-sm" data-testid="pending-when">
      {main}
      {row.deadline && !row.running ? (
        <div className="text-xs text-slate-500">
          deadline <LocalTime at={row.deadline} timeZone={timeZone} now={now} />
        </div>
      ) : null}
    </div>
  );
}
