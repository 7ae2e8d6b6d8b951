import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { describeWindow } from '@/lib/contract/installation-window';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { getMyMachine } from '@/lib/portal/get-my-machine';
import { describeOpening } from '@/lib/schedule/next-opening';
import { formatLocal, relativeTime, whenText } from '@/lib/schedule/relative-time';
import { Card, EmptyState, LinkButton, PageHeader } from '@/app/_components/ui';
import { HistoryTable } from '../../_components/history-table';
import { MachineStateBadge } from '../../_components/machine-state-badge';
import { NotificationList } from '../../_components/notification-list';
import { InstalledList } from './installed-list';
import { PendingList } from './pending-list';
import { TimelineList } from './timeline-list';

export const metadata: Metadata = { title: 'My machine' };

export default async function MyMachinePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('portal.use');
  const { id } = await params;
  const now = new Date();
  const machine = await loadOr404(() => getMyMachine(getDb(), { actor, id, now }));
  const tz = machine.timeZone;
  return (
    <>
      <PageHeader
        title={machine.hostname}
        description={`${machine.os ?? 'OS not reported yet'} · time zone ${tz}. Times on this page are on the machine’s own clock.`}
        actions={<MachineStateBadge state={machine.state} lastSeenAt={machine.lastSeenAt} now={now} />}
      />
      <NotificationList notices={machine.notifications} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <section aria-labelledby="pending-heading">
            <h2 id="pending-heading" className="mb-3 text-sm font-semibold text-slate-800">
              Pending
            </h2>
            <PendingList rows={machine.pendingWork} machineId={machine.id} hostname={machine.hostname} timeZone={tz} now={now} />
          </section>
          <section aria-labelledby="installed-heading">
            <h2 id="installed-heading" className="mb-3 text-sm font-semibold text-slate-800">
              Installed by you
            </h2>
            <InstalledList rows={machine.installedByYou} machineId={machine.id} hostname={machine.hostname} timeZone={tz} now={now} />
          </section>
          <section aria-labelledby="history-heading">
            <div className="mb-3 flex items-baseline justify-between">
              <h2 id="history-heading" className="text-sm font-semibold text-slate-800">
                Recent history
              </h2>
              <Link href={`/portal/history?machine=${machine.id}`} className="text-sm text-brand-700 hover:underline">
                Full history →
              </Link>
            </div>
            {machine.recentHistory.length === 0 ? (
              <EmptyState icon="history" title="No attempts yet">
                Each install, skip and failure on this machine is listed here with the reason.
              </EmptyState>
            ) : (
              <HistoryTable entries={machine.recentHistory} now={now} showMachine={false} />
            )}
          </section>
        </div>
        <div className="space-y-6">
          <Card title="Timeline">
            <TimelineList rows={machine.timeline} now={now} />
          </Card>
          <Card title="Installation windows">
            <WindowsSummary machine={machine} now={now} />
            <div className="mt-4">
              <LinkButton href={`/portal/machines/${machine.id}/windows`} kind="secondary">
                Change windows
              </LinkButton>
            </div>
          </Card>
          <Card title="Groups">
            <p className="text-sm text-slate-700">Some groups are open to you: joining one brings its software and its rules to this machine.</p>
            <div className="mt-4">
              <LinkButton href={`/portal/machines/${machine.id}/groups`} kind="secondary">
                Join or leave groups
              </LinkButton>
            </div>
          </Card>
          <Card title="About this machine">
            <dl className="space-y-2 text-sm">
              <Fact label="Time zone">{tz}</Fact>
              <Fact label="Last check-in">{machine.lastSeenAt ? `${formatLocal(new Date(machine.lastSeenAt), tz, now)} (${relativeTime(new Date(machine.lastSeenAt), now)})` : 'Never'}</Fact>
              <Fact label="Failures in the last 7 days">{machine.recentFailures ? <Link href={`/portal/history?machine=${machine.id}&outcome=failed`} className="text-brand-700 hover:underline">{machine.recentFailures}</Link> : 'None'}</Fact>
            </dl>
          </Card>
        </div>
      </div>
    </>
  );
}

function WindowsSummary({ machine, now }: { machine: Awaited<ReturnType<typeof getMyMachine>>; now: Date }) {
  const w = machine.windows;
  const tz = machine.timeZone;
  const opening = { start: new Date(w.nextOpening.start), end: w.nextOpening.end ? new Date(w.nextOpening.end) : null };
  const next = describeOpening(opening, now, (at) => whenText(at, tz, now));
  const source = w.source === 'own' ? 'Your own windows.' : w.source === 'groups' ? `The defaults of ${w.groups.join(', ')}.` : 'No windows: installs may run any time.';
  return (
    <div className="space-y-2 text-sm text-slate-700">
      <p>
        Next opening: <strong data-testid="next-opening">{next}</strong>
      </p>
      {w.effective.length ? (
        <ul className="text-xs text-slate-600">
          {w.effective.map((x) => (
            <li key={`${x.day}-${x.start}`}>{describeWindow(x)}</li>
          ))}
        </ul>
      ) : null}
      <p className="text-xs text-slate-500">{source}</p>
      {w.blackoutDates.length ? <p className="text-xs text-slate-500">No installs on: {w.blackoutDates.join(', ')}.</p> : null}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="text-slate-800">{children}</dd>
    </div>
  );
}
