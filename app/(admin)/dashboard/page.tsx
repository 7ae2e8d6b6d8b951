import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { listAudit } from '@/lib/audit/list-audit';
import { can } from '@/lib/auth/permissions';
import { requirePageActor } from '@/lib/http/page-guard';
import { Card, PageHeader, formatDateTime } from '@/app/_components/ui';
import { describeAction } from '@/app/(admin)/audit/describe-action';

export const metadata: Metadata = { title: 'Dashboard' };

const STEPS = [
  { href: '/cabinets', title: 'Create a cabinet', text: 'A named place on this server that holds your packages.' },
  { href: '/packages', title: 'Register a package', text: 'Upload an installer with depot-pack or the upload page.' },
  { href: '/machines', title: 'Enrol machines', text: 'Install the agent and enrol it with an enrolment secret.' },
  { href: '/jobs', title: 'Send a job', text: 'Install, offer or uninstall a package on machines and groups.' },
];

export default async function DashboardPage() {
  const actor = await requirePageActor('admin.view');
  const activity = can(actor.role, 'audit.view') ? (await listAudit(getDb(), { actor, query: { limit: 8 } })).entries : null;
  return (
    <>
      <PageHeader title="Dashboard" description={`Welcome back, ${actor.name}. Fleet health, recent installs and failures that need a look appear here.`} />
      <div className="grid gap-6 lg:grid-cols-3">
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
        <Card title="Recent activity">
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
