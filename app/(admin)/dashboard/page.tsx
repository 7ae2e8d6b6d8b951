import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { listAudit } from '@/lib/audit/list-audit';
import { can } from '@/lib/auth/permissions';
import { getFleetHealth } from '@/lib/dashboard/fleet-health';
import { requirePageActor } from '@/lib/http/page-guard';
import { ONLINE_WITHIN_MS } from '@/lib/machines/list-machines';
import { OutcomeChart } from '@/app/_components/outcome-chart';
import { Card, EmptyState, PageHeader, StatCard, Table, Td, formatDateTime } from '@/app/_components/ui';
import { describeAction } from '@/app/(admin)/audit/describe-action';

export const metadata: Metadata = { title: 'Dashboard' };

const STEPS = [
  { href: '/cabinets', title: 'Create a cabinet', text: 'A named place on this server that holds your packages.' },
  { href: '/packages', title: 'Register a package', text: 'Upload an installer with depot-pack or the upload page.' },
  { href: '/machines', title: 'Enrol machines', text: 'Install the agent and enrol it with an enrolment secret.' },
  { href: '/jobs', title: 'Send a job', text: 'Install, offer or uninstall a package on machines and groups.' },
];

const SERIES = [
  { state: 'installed', label: 'Installed' },
  { state: 'failed', label: 'Failed' },
  { state: 'skipped', label: 'Skipped' },
] as const;

export default async function DashboardPage() {
  const actor = await requirePageActor('admin.view');
  const deploy = can(actor.role, 'deploy.manage');
  const [health, activity] = await Promise.all([
    getFleetHealth(getDb(), { actor, now: new Date() }),
    can(actor.role, 'audit.view') ? listAudit(getDb(), { actor, query: { limit: 8 } }).then((r) => r.entries) : null,
  ]);
  const { machines: fleet, installs, failures } = health;
  const onlineMinutes = Math.round(ONLINE_WITHIN_MS / 60_000);
  return (
    <>
      <PageHeader title="Dashboard" description={`Welcome back, ${actor.name}. Fleet health, the last 24 hours of installs and the failures that need a look.`} />
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        <StatCard label="Machines online" value={`${fleet.online} of ${fleet.total}`} hint={`Seen in the last ${onlineMinutes} minutes`} />
        <StatCard
          label="Offline"
          value={fleet.offline}
          hint={fleet.neverSeen ? `Not seen for ${onlineMinutes} minutes or more; ${fleet.neverSeen} never seen` : `Not seen for ${onlineMinutes} minutes or more`}
        />
        <StatCard
          label="Installs, last 24 h"
          value={installs.total}
          hint={`${installs.totals.installed ?? 0} installed · ${installs.totals.failed ?? 0} failed · ${installs.totals.skipped ?? 0} skipped`}
        />
      </div>

      <Card title="Installs in the last 24 hours" className="mb-6">
        {installs.total > 0 ? (
          <OutcomeChart title="Install outcomes in the last 24 hours" buckets={installs.buckets} series={[...SERIES]} />
        ) : fleet.total === 0 ? (
          <p className="text-sm text-slate-600">
            No machines are enrolled yet. <Link href="/machines" className="font-medium text-brand-700 hover:underline">Create an enrolment secret and enrol the agent</Link>; installs
            appear here as agents report them.
          </p>
        ) : (
          <p className="text-sm text-slate-600">
            No installs finished in the last 24 hours.{' '}
            {deploy ? (
              <>
                <Link href="/jobs/new" className="font-medium text-brand-700 hover:underline">Send a job</Link> to install a package on machines; outcomes appear here as agents report them.
              </>
            ) : (
              'Outcomes appear here as agents report the jobs they run.'
            )}
          </p>
        )}
      </Card>

      <section aria-labelledby="failures-heading" className="mb-6">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="failures-heading" className="text-base font-semibold text-slate-900">
            Failures that need a look
          </h2>
          {failures.total > failures.latest.length ? (
            <p className="text-sm text-slate-600">
              The {failures.latest.length} newest of {failures.total}
            </p>
          ) : null}
        </div>
        {failures.latest.length === 0 ? (
          <EmptyState icon="job" title="No failures need a look">
            When an install fails on a machine it is listed here until someone re-runs it from its job page.
          </EmptyState>
        ) : (
          <Table head={['Machine', 'Job', 'Result', 'Failed']} caption={`Failures that need a look: ${failures.total}`}>
            {failures.latest.map((f) => (
              <tr key={f.assignmentId} data-testid={`failure-${f.assignmentId}`}>
                <Td>
                  <Link href={`/machines/${f.machineId}#assignment-${f.assignmentId}`} className="font-medium text-brand-700 hover:underline">
                    {f.hostname}
                  </Link>
                </Td>
                <Td>
                  <Link href={`/jobs/${f.jobId}`} className="text-brand-700 hover:underline">
                    {f.jobName}
                  </Link>
                  {f.attempt > 1 ? <span className="ml-2 text-xs text-slate-500">attempt {f.attempt}</span> : null}
                </Td>
                <Td className="max-w-md whitespace-normal text-xs text-slate-600">
                  {f.exitCode !== null ? <div>exit code {f.exitCode}</div> : null}
                  {f.reason ? <div>{f.reason}</div> : null}
                  {f.exitCode === null && !f.reason ? <div>No reason reported</div> : null}
                </Td>
                <Td className="text-slate-600">{formatDateTime(f.failedAt)}</Td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <div className="grid gap-6 lg:grid-cols-3">
        {fleet.total === 0 ? (
          <Card title="Getting started" className="lg:col-span-2">
            <ol className="space-y-3">
              {STEPS.map((step, i) => (
                <li key={step.href}>
                  <Link href={step.href} className="flex items-start gap-4 rounded-lg p-3 hover:bg-slate-50">
                    <span className="flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-brand-50 text-sm font-semibold text-brand-700">{i + 1}</span>
                    <span>
                      <span className="block text-sm font-medium text-slate-900">{step.title}</span>
                      <span className="block text-sm text-slate-600">{step.text}</span>
                    </span>
                  </Link>
                </li>
              ))}
            </ol>
          </Card>
        ) : null}
        <Card title="Recent activity" className={fleet.total === 0 ? '' : 'lg:col-span-3'}>
          {activity === null ? (
            <p className="text-sm text-slate-600">The audit log is visible to admins and auditors.</p>
          ) : activity.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing has happened yet. Every change an admin makes will be listed here.</p>
          ) : (
            <ul className="space-y-3">
              {activity.map((entry) => (
                <li key={entry.id} className="text-sm">
                  <div className="text-slate-900">
                    <span className="font-medium">{entry.actorLabel}</span> {describeAction(entry.action)} {entry.targetLabel ?? ''}
                  </div>
                  <div className="text-xs text-slate-500">{formatDateTime(entry.at)}</div>
                </li>
              ))}
            </ul>
          )}
          {activity && activity.length > 0 ? (
            <Link href="/audit" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
              Open the audit log →
            </Link>
          ) : null}
        </Card>
      </div>
    </>
  );
}
