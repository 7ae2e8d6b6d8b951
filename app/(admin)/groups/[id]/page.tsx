import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { getGroup } from '@/lib/groups/get-group';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { listMachines } from '@/lib/machines/list-machines';
import { Badge, Card, EmptyState, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { ViolationList } from '@/app/_components/guardrail-violations';
import { WindowsEditor } from '@/app/_components/windows-editor';
import { setGroupWindowsAction } from '../actions';
import { AddMembersForm, BlackoutEditor, BlackoutList, GuardrailsForm, RemoveMemberButton } from '../group-forms';
import { GuardrailsSummary } from '../guardrails-summary';
import { setGroupRelayAction } from '../relay-actions';
import { listRelayChoices } from '@/lib/relays/list-relay-choices';
import { RelaySelectForm } from '@/app/_components/relay-select-form';

export const metadata: Metadata = { title: 'Group' };

export default async function GroupPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('admin.view');
  const { id } = await params;
  const group = await loadOr404(() => getGroup(getDb(), { actor, id }));
  const manage = can(actor.role, 'deploy.manage');
  const members = new Set(group.members.map((m) => m.id));
  // A date is over everywhere once it is over in the zone furthest behind (UTC-12): before yesterday, UTC.
  const pastBefore = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const relays = await listRelayChoices(getDb(), { actor });
  const candidates = manage ? (await listMachines(getDb(), { actor, query: { pageSize: 200 } })).machines.filter((m) => !members.has(m.id)) : [];
  return (
    <>
      <PageHeader title={group.name} description={group.description || 'A static group of machines.'} actions={
          <>
            {group.selfService ? <Badge tone="violet">Self-service</Badge> : null}
            <Badge>{group.members.length} machines</Badge>
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Members">
            {group.members.length === 0 ? (
              <EmptyState icon="machine" title="No machines in this group">Add machines on the right; they get every job sent to this group.</EmptyState>
            ) : (
              <Table head={['Machine', 'Time zone', 'Windows', 'Joined', '']} caption="Members">
                {group.members.map((m) => (
                  <tr key={m.id} data-testid={`member-row-${m.hostname}`}>
                    <Td>
                      <Link href={`/machines/${m.id}`} className="font-medium text-brand-700 hover:underline">
                        {m.hostname}
                      </Link>
                    </Td>
                    <Td className="text-slate-600">{m.timeZone}</Td>
                    <Td className="text-xs text-slate-600">
                      {m.ownWindows ? 'its own' : 'the groups’'}
                      {m.guardrailViolations.length ? (
                        <details className="mt-1 whitespace-normal" data-testid={`member-violations-${m.hostname}`}>
                          <summary className="cursor-pointer">
                            <Badge tone="amber">outside guardrails</Badge>
                          </summary>
                          <div className="max-w-sm text-amber-900">
                            <ViolationList violations={m.guardrailViolations} />
                          </div>
                          <p className="mt-1 text-slate-500">Kept as the user chose them; the machine page lets you set its windows.</p>
                        </details>
                      ) : null}
                    </Td>
                    <Td className="text-slate-600">{formatDateTime(m.addedAt)}</Td>
                    <Td>{manage ? <RemoveMemberButton id={group.id} machineId={m.id} hostname={m.hostname} /> : null}</Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
          <Card title="Guardrails for users’ windows">
            <GuardrailsSummary group={group} breaking={group.members.filter((m) => m.guardrailViolations.some((v) => v.groupId === group.id)).length} />
            {manage ? (
              <div className="mt-4">
                <GuardrailsForm id={group.id} selfService={group.selfService} windowEnvelope={group.windowEnvelope} minOpenMinutes={group.minOpenMinutes} />
              </div>
            ) : null}
          </Card>
          <Card title="Jobs sent to this group">
            {group.jobs.length === 0 ? (
              <p className="text-sm text-slate-600">None yet. Choose this group as a destination when you create a job.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {group.jobs.map((j) => (
                  <li key={j.id} className="flex justify-between py-2">
                    <Link href={`/jobs/${j.id}`} className="text-brand-700 hover:underline">
                      {j.name}
                    </Link>
                    <Badge>{j.state}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          {manage ? (
            <>
              <Card title="Add machines">
                <AddMembersForm id={group.id} machines={candidates.map((m) => ({ id: m.id, hostname: m.hostname }))} />
              </Card>
              <Card title="Default installation windows">
                <WindowsEditor action={setGroupWindowsAction} id={group.id} windows={group.windows} zoneNote="Times are in each member’s own time zone." emptyNote="No default windows: members without windows of their own install any time." />
              </Card>
            </>
          ) : null}
          <Card title="Relay system">
            {can(actor.role, 'relays.manage') ? (
              <RelaySelectForm
                action={setGroupRelayAction}
                id={group.id}
                relayId={group.relayId}
                relays={relays}
                revoked={group.relay?.revoked ? group.relay : null}
                noneLabel="None: members download from the managing server"
                hint="Members download through it unless they have a relay of their own; a machine in several groups uses the first group by name that has one."
              />
            ) : (
              <p className="text-sm text-slate-600" data-testid="group-relay">
                {group.relay?.revoked ? (
                  <>
                    Its relay,{' '}
                    <Link href={`/relays/${group.relay.id}`} className="text-brand-700 hover:underline">
                      {group.relay.name}
                    </Link>
                    , was revoked: members download through its parents, else the managing server, unless they have their own.
                  </>
                ) : group.relay ? (
                  <>
                    Members download through{' '}
                    <Link href={`/relays/${group.relay.id}`} className="text-brand-700 hover:underline">
                      {group.relay.name}
                    </Link>{' '}
                    unless they have their own.
                  </>
                ) : (
                  'No relay: members download from the managing server unless they have their own.'
                )}
              </p>
            )}
          </Card>
          <Card title="Blackout dates">
            <p className="mb-3 text-xs text-slate-500">
              No installs start on these days on member machines, in each machine’s own time zone; deadlines wait too. A blackout day wins over a deadline: a mandatory install whose
              deadline falls on one runs at the start of the next day that is not. Installs already running at midnight are not stopped.
            </p>
            {manage ? <BlackoutEditor id={group.id} dates={group.blackoutDates} pastBefore={pastBefore} /> : <BlackoutList dates={group.blackoutDates} pastBefore={pastBefore} />}
          </Card>
        </div>
      </div>
    </>
  );
}
