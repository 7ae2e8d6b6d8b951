import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { formatBytes } from '@/lib/format-bytes';
import { requirePageActor } from '@/lib/http/page-guard';
import { getMachine } from '@/lib/machines/get-machine';
import { storedInventory } from '@/lib/machines/stored-inventory';
import { describeWindows } from '@/lib/schedule/describe-windows';
import { describeOpening, nextOpening } from '@/lib/schedule/next-opening';
import { loadOr404 } from '@/lib/http/load-or-404';
import { AssignmentStateBadge } from '@/app/_components/assignment-state-badge';
import { ViolationList } from '@/app/_components/guardrail-violations';
import { Badge, Card, EmptyState, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { WindowsEditor } from '@/app/_components/windows-editor';
import { listGroups } from '@/lib/groups/list-groups';
import { listOwnerChoices } from '@/lib/machines/list-owner-choices';
import { getMachineRelay, type RelayRef } from '@/lib/relays/get-machine-relay';
import { listRelayChoices } from '@/lib/relays/list-relay-choices';
import { RelaySelectForm } from '@/app/_components/relay-select-form';
import { setMachineWindowsAction } from './actions';
import { GroupsForm, OwnerForm, RetireForm } from './machine-forms';
import { setMachineRelayAction } from './relay-actions';

export const metadata: Metadata = { title: 'Machine' };

export default async function MachinePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('admin.view');
  const { id } = await params;
  const machine = await loadOr404(() => getMachine(getDb(), { actor, id }));
  const inv = storedInventory(machine.facts);
  const manage = can(actor.role, 'deploy.manage') && !machine.retiredAt;
  const [users, groups] = manage ? await Promise.all([listOwnerChoices(getDb(), { actor }), listGroups(getDb(), { actor })]) : [[], []];
  const manageRelay = can(actor.role, 'relays.manage') && !machine.retiredAt;
  const [relay, relayChoices] = await Promise.all([getMachineRelay(getDb(), { actor, machineId: machine.id }), manageRelay ? listRelayChoices(getDb(), { actor }) : []]);
  // The relay that decides its sources: its own, else its groups'.
  const setRelay = relay.relay ?? relay.groupRelay;
  const now = new Date();
  const opening = nextOpening(machine.windows, machine.timeZone, now, { blackoutDates: machine.blackoutDates });
  const next = describeOpening(opening, now, (at) => zoned(at, machine.timeZone));
  return (
    <>
      <PageHeader
        title={machine.hostname}
        description={`Enrolled ${formatDateTime(machine.enrolledAt)}${machine.enrolmentSecret ? ` with “${machine.enrolmentSecret}”` : ''} · owner ${machine.owner ?? 'none'} · time zone ${machine.timeZone}${machine.retiredAt ? ` · retired ${formatDateTime(machine.retiredAt)}` : ''}`}
        actions={machine.retiredAt ? <Badge tone="red">Retired</Badge> : machine.online ? <Badge tone="green">Online</Badge> : <Badge>Offline</Badge>}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Assignments">
            {machine.assignments.length === 0 ? (
              <EmptyState icon="job" title="Nothing assigned yet">Create a job with this machine as a destination; its agent picks it up on its next poll.</EmptyState>
            ) : (
              <Table head={['Job', 'State', 'Attempt', 'Last change', 'Result']} caption="Assignments">
                {machine.assignments.map((a) => (
                  <tr key={a.id} id={`assignment-${a.id}`} data-testid={`assignment-row-${a.id}`}>
                    <Td>
                      <Link href={`/jobs/${a.jobId}`} className="font-medium text-brand-700 hover:underline">
                        {a.jobName}
                      </Link>
                      <div className="text-xs text-slate-500">{a.packageName ? `${a.packageName} ${a.packageVersion}` : a.packageLabel ? `${a.packageLabel} (deleted)` : a.jobKind}</div>
                    </Td>
                    <Td>
                      <AssignmentStateBadge state={a.state} jobKind={a.jobKind} />
                    </Td>
                    <Td className="text-slate-600">{a.attempt}</Td>
                    <Td className="text-slate-600">{formatDateTime(a.updatedAt)}</Td>
                    <Td className="max-w-md text-slate-600">
                      {a.exitCode !== null ? <div className="text-xs">exit code {a.exitCode}</div> : null}
                      {a.reason ? <div className="text-xs">{a.reason}</div> : null}
                      {a.output ? (
                        <details className="mt-1">
                          <summary className="cursor-pointer text-xs text-brand-700">Output</summary>
                          <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100">{a.output}</pre>
                        </details>
                      ) : null}
                      {a.history.length ? (
                        <details className="mt-1">
                          <summary className="cursor-pointer text-xs text-brand-700">{`History (${a.history.length})`}</summary>
                          <ol className="mt-1 space-y-0.5 text-xs text-slate-600">
                            {a.history.map((e) => (
                              <li key={`${e.attempt}-${e.state}`}>
                                {formatDateTime(e.at)} · attempt {e.attempt} · <strong className="font-medium">{e.state}</strong>
                                {e.exitCode !== null ? ` · exit code ${e.exitCode}` : ''}
                                {e.source ? ` · from ${e.source}` : ''}
                                {e.actorLabel ? ` · by ${e.actorLabel}` : ''}
                                {e.reason ? ` · ${e.reason}` : ''}
                              </li>
                            ))}
                          </ol>
                        </details>
                      ) : null}
                    </Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
          <Card title="Inventory">
            {!inv ? (
              <p className="text-sm text-slate-600">The agent has not reported this machine’s facts yet; they arrive with its first poll.</p>
            ) : (
              <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                <Fact label="Operating system">{`${inv.os.distro} ${inv.os.release} (${inv.os.arch})`}</Fact>
                <Fact label="Kernel">{inv.os.kernel}</Fact>
                <Fact label="CPU">{`${inv.cpu.model}, ${inv.cpu.cores} cores`}</Fact>
                <Fact label="Memory">{`${formatBytes(inv.memory.totalBytes)} (${formatBytes(inv.memory.freeBytes)} free)`}</Fact>
                <Fact label="Uptime">{`${Math.floor(inv.uptimeSeconds / 86_400)} d ${Math.floor((inv.uptimeSeconds % 86_400) / 3600)} h`}</Fact>
                <Fact label="Time zone">{inv.timeZone}</Fact>
                <div className="sm:col-span-2">
                  <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Disks</dt>
                  <dd className="mt-1 space-y-2">
                    {inv.disks.map((d) => {
                      const used = d.sizeBytes ? Math.round(((d.sizeBytes - d.freeBytes) / d.sizeBytes) * 100) : 0;
                      return (
                        <div key={d.mount}>
                          <div className="flex justify-between text-xs text-slate-600">
                            <span className="font-mono">{d.mount}</span>
                            <span>
                              {formatBytes(d.freeBytes)} free of {formatBytes(d.sizeBytes)}
                            </span>
                          </div>
                          <div className="h-1.5 rounded bg-slate-100" role="progressbar" aria-label={`${d.mount} used`} aria-valuenow={used} aria-valuemin={0} aria-valuemax={100}>
                            <div className={`h-1.5 rounded ${used > 90 ? 'bg-rose-500' : 'bg-brand-500'}`} style={{ width: `${used}%` }} />
                          </div>
                        </div>
                      );
                    })}
                  </dd>
                </div>
                <div className="sm:col-span-2">
                  <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Network</dt>
                  <dd className="mt-1 font-mono text-xs text-slate-700">
                    {inv.network.length === 0 ? '—' : inv.network.map((n) => <div key={n.iface}>{`${n.iface} ${n.ipv4 || ''} ${n.ipv6 || ''} ${n.mac}`.replace(/\s+/g, ' ')}</div>)}
                  </dd>
                </div>
              </dl>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Owner and groups">
            {manage ? (
              <div className="space-y-5">
                <OwnerForm id={machine.id} ownerId={machine.ownerId} users={users} />
                <GroupsForm id={machine.id} groups={groups.map((g) => ({ id: g.id, name: g.name }))} memberOf={machine.groups.map((g) => g.id)} />
              </div>
            ) : (
              <dl className="space-y-2 text-sm">
                <Fact label="Owner">{machine.owner ?? 'No owner'}</Fact>
                <Fact label="Groups">{machine.groups.length ? machine.groups.map((g) => g.name).join(', ') : 'None'}</Fact>
              </dl>
            )}
          </Card>
          <Card title="Installation windows">
            <p className="mb-3 text-sm text-slate-700">
              Next opening: <strong data-testid="next-opening">{next}</strong>
            </p>
            <p className="mb-3 text-xs text-slate-500">
              {machine.windows.length ? describeWindows(machine.windows) : 'No windows: installs may run any time.'}
            </p>
            {machine.guardrailViolations.length ? (
              <div className="mb-3 rounded-lg bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid="guardrail-violations">
                <p className="font-medium">Its own windows break its groups’ guardrails (they changed after the windows were set, or an admin set them). They are kept as they are:</p>
                <ViolationList violations={machine.guardrailViolations} />
              </div>
            ) : null}
            {machine.blackoutDates.length ? (
              <p className="mb-3 text-xs text-slate-500" data-testid="blackout-dates">
                Blackout dates from its groups (nothing starts on these days): {machine.blackoutDates.join(', ')}
              </p>
            ) : null}
            {can(actor.role, 'deploy.manage') && !machine.retiredAt ? <WindowsEditor action={setMachineWindowsAction} id={machine.id} windows={machine.ownWindows} zoneNote={`Times are in the machine’s zone, ${machine.timeZone}.`} emptyNote="No windows of its own: its groups’ defaults apply, else it installs any time." /> : null}
          </Card>
          <Card title="Relay system">
            <p className="mb-3 text-sm text-slate-700" data-testid="machine-content-sources">
              Downloads from{' '}
              {relay.sources.length ? (
                relay.sources.map((r, i) => (
                  <span key={r.relayId}>
                    {i ? ', then ' : ''}
                    <Link href={`/relays/${r.relayId}`} className="font-medium text-brand-700 hover:underline">
                      {r.name}
                    </Link>
                  </span>
                ))
              ) : (
                <strong className="font-medium">the managing server</strong>
              )}
              {relay.sources.length ? ', else the managing server' : ''}.
            </p>
            {setRelay?.revoked ? (
              <p className="mb-3 text-xs text-slate-500" data-testid="machine-relay-revoked">
                {`${setRelay === relay.relay ? 'Its own relay' : 'Its groups’ relay'}, ${setRelay.name}, was revoked: it serves nobody, so the plan skips it. Choose another relay${setRelay === relay.relay ? ' or none' : ' for the group'}.`}
              </p>
            ) : null}
            {manageRelay ? (
              <RelaySelectForm
                action={setMachineRelayAction}
                id={machine.id}
                relayId={relay.relayId}
                relays={relayChoices}
                revoked={relay.relay?.revoked ? relay.relay : null}
                noneLabel={relay.groupRelay ? `None: its groups’ relay (${relayName(relay.groupRelay)})` : 'None: its groups’ relay, else the managing server'}
                hint="Its own relay wins over its groups’. Its agent picks a change up on its next poll."
              />
            ) : (
              <p className="text-xs text-slate-500">{relay.relay ? `Its own relay: ${relayName(relay.relay)}.` : relay.groupRelay ? `From its groups: ${relayName(relay.groupRelay)}.` : 'No relay is set for it or its groups.'}</p>
            )}
          </Card>
          {manage ? (
            <Card title="Retire">
              <RetireForm id={machine.id} hostname={machine.hostname} />
            </Card>
          ) : null}
        </div>
      </div>
    </>
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

function zoned(d: Date, timeZone: string): string {
  return `${d.toLocaleString('en-GB', { timeZone, weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' })} (${timeZone})`;
}

function relayName(r: RelayRef): string {
  return r.revoked ? `${r.name}, revoked` : r.name;
}
