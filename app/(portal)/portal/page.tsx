import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { requirePageActor } from '@/lib/http/page-guard';
import { listMyMachines } from '@/lib/portal/list-my-machines';
import type { MyMachineSummary } from '@/lib/portal/machine-view';
import { Badge, EmptyState, PageHeader, Table, Td } from '@/app/_components/ui';
import { LocalTime } from './_components/local-time';
import { MachineStateBadge } from './_components/machine-state-badge';
import { NotificationList } from './_components/notification-list';

export const metadata: Metadata = { title: 'My machines' };

export default async function Page() {
  const actor = await requirePageActor('portal.use');
  const now = new Date();
  const { machines, notifications } = await listMyMachines(getDb(), { actor, now });
  return (
    <>
      <PageHeader title="My machines" description="The machines you own, what is pending on each and when it will happen. Times are on each machine’s own clock." />
      <NotificationList notices={notifications} />
      {machines.length === 0 ? (
        <EmptyState icon="machine" title="You have no machines yet">
          A machine appears here once an administrator makes you its owner on the Machines page. Ask your IT team if a machine of yours is missing.
        </EmptyState>
      ) : (
        <Table head={['Machine', 'State', 'Next', 'Recent failures']} caption="My machines">
          {machines.map((m) => (
            <tr key={m.id} data-testid={`my-machine-${m.hostname}`}>
              <Td>
                <Link href={`/portal/machines/${m.id}`} className="font-medium text-brand-700 hover:underline">
                  {m.hostname}
                </Link>
                <div className="text-xs text-slate-500">{m.os ?? 'OS not reported yet'}</div>
              </Td>
              <Td>
                <MachineStateBadge state={m.state} lastSeenAt={m.lastSeenAt} now={now} />
              </Td>
              <Td className="whitespace-normal">
                <NextUp machine={m} now={now} />
              </Td>
              <Td>
                {m.recentFailures ? (
                  <Link href={`/portal/history?machine=${m.id}&outcome=failed`} className="hover:underline">
                    <Badge tone="red">{m.recentFailures} in 7 days</Badge>
                  </Link>
                ) : (
                  <span className="text-slate-400">None</span>
                )}
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

/** "Next install: Firefox ESR 115, Tue 22:00 · in 3 h", and how much else waits. */
function NextUp({ machine: m, now }: { machine: MyMachineSummary; now: Date }) {
  if (!m.next) return <span className="text-slate-500">{m.pending ? `${m.pending} pending (on hold or inventory)` : 'Nothing pending'}</span>;
  const label = m.next.event === 'uninstall' ? 'Next removal' : 'Next install';
  const others = m.pending - 1;
  return (
    <div className="text-sm">
      {m.next.state === 'installing' ? (
        <span>
          Installing now: <strong className="font-medium">{m.next.what}</strong>
        </span>
      ) : (
        <span>
          {label}: <strong className="font-medium">{m.next.what}</strong>, <LocalTime at={m.next.at} timeZone={m.next.timeZone} now={now} />
        </span>
      )}
      {others > 0 ? <div className="text-xs text-slate-500">and {others} more pending</div> : null}
    </div>
  );
}
