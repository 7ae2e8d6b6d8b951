import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { listSelfServiceGroups } from '@/lib/portal/list-self-service-groups';
import { describeEnvelope, formatHours } from '@/lib/schedule/guardrails';
import { Badge, Card, EmptyState, LinkButton, PageHeader } from '@/app/_components/ui';
import { MembershipButton } from './membership-button';

export const metadata: Metadata = { title: 'Groups' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('portal.use');
  const { id } = await params;
  const { machine, groups, managedGroups } = await loadOr404(() => listSelfServiceGroups(getDb(), { actor, machineId: id }));
  return (
    <>
      <PageHeader
        title={`Groups · ${machine.hostname}`}
        description="Groups your IT team opened to everyone. A machine in a group gets the software sent to it (optional packages show in the catalog) and follows its rules for installation windows."
        actions={
          <>
            <LinkButton href={`/portal/machines/${machine.id}/windows`} kind="secondary">
              Installation windows
            </LinkButton>
            <LinkButton href="/portal/windows" kind="secondary">
              All machines
            </LinkButton>
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          {groups.length === 0 ? (
            <EmptyState icon="group" title="No groups to join">
              Your IT team has not opened any group for self-service yet. Ask them if you need software that is offered to a group.
            </EmptyState>
          ) : (
            groups.map((g) => (
              <Card key={g.id}>
                <div className="flex flex-wrap items-start justify-between gap-4" data-testid={`group-${g.name}`}>
                  <div className="min-w-0 flex-1 space-y-1">
                    <div className="flex items-center gap-2">
                      <h2 className="text-base font-semibold text-slate-900">{g.name}</h2>
                      {g.member ? <Badge tone="green">This machine is in it</Badge> : null}
                    </div>
                    {g.description ? <p className="text-sm text-slate-600">{g.description}</p> : null}
                    {g.windowEnvelope || g.minOpenMinutes ? (
                      <p className="text-xs text-slate-500">
                        Rules for your windows: {g.windowEnvelope ? `only ${describeEnvelope(g.windowEnvelope)}` : 'any hours'}
                        {g.minOpenMinutes ? `, at least ${formatHours(g.minOpenMinutes)} a week` : ''}.
                      </p>
                    ) : null}
                    {g.joinProblem ? (
                      <p className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
                        Your windows do not fit this group: {g.joinProblem}{' '}
                        <Link href={`/portal/machines/${machine.id}/windows`} className="font-medium underline">
                          Change your windows
                        </Link>{' '}
                        first.
                      </p>
                    ) : null}
                  </div>
                  <MembershipButton machineId={machine.id} groupId={g.id} groupName={g.name} member={g.member} disabled={!!g.joinProblem} />
                </div>
              </Card>
            ))
          )}
        </div>
        <Card title="Set by your IT team">
          {managedGroups.length === 0 ? (
            <p className="text-sm text-slate-600">This machine is in no other group.</p>
          ) : (
            <>
              <p className="mb-2 text-sm text-slate-600">Only your IT team can change these:</p>
              <ul className="space-y-1 text-sm text-slate-800">
                {managedGroups.map((g) => (
                  <li key={g.id}>{g.name}</li>
                ))}
              </ul>
            </>
          )}
        </Card>
      </div>
    </>
  );
}
