import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { formatBytes } from '@/lib/format-bytes';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { listPackages } from '@/lib/packages/list-packages';
import { packageLabel } from '@/lib/packages/public-package';
import { getRelay } from '@/lib/relays/get-relay';
import { listRelayChoices } from '@/lib/relays/list-relay-choices';
import { contentLabel } from '@/lib/relays/relay-view';
import { Card, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { ago, DiskBar, ORDER_KIND_LABEL, OrderStateBadge, RelayStateBadge } from '../relay-bits';
import { DeleteHeldButton, EditRelayForm, PrefetchForm, RevokeRelayForm } from '../relay-forms';
import type { RelayHealth } from '@/lib/contract/relay-api';

export const metadata: Metadata = { title: 'Relay system' };

export default async function RelayPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('admin.view');
  const { id } = await params;
  const relay = await loadOr404(() => getRelay(getDb(), { actor, id }));
  const manage = can(actor.role, 'relays.manage') && relay.state !== 'revoked';
  const [choices, pkgs] = manage ? await Promise.all([listRelayChoices(getDb(), { actor }), listPackages(getDb(), { actor, query: { pageSize: 200 } })]) : [[], null];
  const now = new Date();
  const health = relay.health as Partial<RelayHealth>;
  return (
    <>
      <Link href="/relays" className="mb-3 inline-block text-sm text-brand-700 hover:underline">
        ← Relays
      </Link>
      <PageHeader title={relay.name} description={relay.description || `Serves package content at ${relay.url}.`} actions={<RelayStateBadge state={relay.state} />} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Status">
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <Fact label="URL">
                <span className="font-mono text-xs">{relay.url}</span>
              </Fact>
              <Fact label="Last heartbeat">
                <span data-testid="relay-last-heartbeat">{ago(relay.lastHeartbeatAt, now)}</span>
                {relay.lastHeartbeatAt ? <span className="text-xs text-slate-500"> · {formatDateTime(relay.lastHeartbeatAt)}</span> : null}
              </Fact>
              <Fact label="Fetches from">{relay.parent ? <Link href={`/relays/${relay.parent.id}`} className="text-brand-700 hover:underline">{relay.parent.name}</Link> : 'The managing server'}</Fact>
              <Fact label="Child relays">
                {relay.children.length
                  ? relay.children.map((c, i) => (
                      <span key={c.id}>
                        {i ? ', ' : ''}
                        <Link href={`/relays/${c.id}`} className="text-brand-700 hover:underline">
                          {c.name}
                        </Link>
                      </span>
                    ))
                  : 'None'}
              </Fact>
              <div className="sm:col-span-2">
                <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Cache and disk</dt>
                <dd className="mt-1" data-testid="relay-disk">
                  <DiskBar used={relay.cacheUsedBytes} free={relay.diskFreeBytes} limit={relay.cacheLimitBytes} label="Cache used" />
                </dd>
              </div>
              {health.version ? (
                <>
                  <Fact label="Clients now">{`${health.activeClients ?? 0} of at most ${health.maxClients ?? '?'}${health.refused ? ` · ${health.refused} refused (busy) since start` : ''}`}</Fact>
                  <Fact label="Since start">{`${formatBytes(health.bytesServed ?? 0)} served · ${formatBytes(health.bytesFetched ?? 0)} fetched upstream`}</Fact>
                  <Fact label="Version">{health.version}</Fact>
                  {health.sending ? (
                    <Fact label="Sends cached files">
                      {health.sending.path === 'sendfile' ? (
                        'By sendfile(2), straight from the page cache'
                      ) : (
                        <span className="text-amber-700" data-testid="relay-sending">
                          {`Through JavaScript, about half as fast${health.sending.why ? `: ${health.sending.why}` : ''}`}
                        </span>
                      )}
                    </Fact>
                  ) : null}
                  <Fact label="Last error">
                    <span className={health.lastError ? 'text-rose-700' : ''} data-testid="relay-last-error">
                      {health.lastError ?? 'None'}
                    </span>
                  </Fact>
                </>
              ) : null}
            </dl>
          </Card>
          <Card title={`Packages it holds (${relay.heldCount}, ${formatBytes(relay.heldBytes)})`}>
            {relay.held.length === 0 ? (
              <p className="text-sm text-slate-600">{relay.lastHeartbeatAt ? 'Nothing cached yet: it fetches each package the first time one of its machines asks for it, or when you transfer one to it.' : 'It has not reported yet. Start depot-relay with its token; its first heartbeat lists what it holds.'}</p>
            ) : (
              <Table head={['Package', 'Size', 'Last used', '']} caption="Packages it holds">
                {relay.held.map((h) => {
                  const label = h.packages[0]?.label ?? contentLabel(h.sha256);
                  return (
                    <tr key={h.sha256} data-testid={`held-row-${h.sha256}`}>
                      <Td>
                        {h.packages.length ? (
                          h.packages.map((p) => (
                            <div key={p.id}>
                              <Link href={`/packages/${p.id}`} className="font-medium text-brand-700 hover:underline">
                                {p.displayName}
                              </Link>{' '}
                              <span className="text-xs text-slate-500">{p.label}</span>
                            </div>
                          ))
                        ) : (
                          <span className="text-slate-600">No package uses it any more</span>
                        )}
                        <div className="font-mono text-xs text-slate-400">{h.sha256.slice(0, 16)}…</div>
                      </Td>
                      <Td className="text-slate-600">{formatBytes(h.size)}</Td>
                      <Td className="text-slate-600">{h.lastUsedAt ? formatDateTime(h.lastUsedAt) : 'Not yet'}</Td>
                      <Td className="text-right">{manage ? <DeleteHeldButton relayId={relay.id} packageId={h.packages[0]?.id} sha256={h.sha256} label={label} /> : null}</Td>
                    </tr>
                  );
                })}
              </Table>
            )}
            {relay.heldCount > relay.held.length ? <p className="mt-3 text-xs text-slate-500">The {relay.held.length} most recently used of {relay.heldCount}.</p> : null}
          </Card>
          <Card title="Orders">
            {relay.orders.length === 0 ? (
              <p className="text-sm text-slate-600">No orders yet. Delete a package from the list above, or transfer one to this relay; the relay carries orders out on its next heartbeat.</p>
            ) : (
              <Table head={['Order', 'Package', 'State', 'Requested', 'Done']} caption="Orders">
                {relay.orders.map((o) => (
                  <tr key={o.id} data-testid={`order-row-${o.id}`}>
                    <Td>
                      {ORDER_KIND_LABEL[o.kind]}
                      {o.batchId ? <div className="text-xs text-slate-500">part of a batch</div> : null}
                    </Td>
                    <Td className="text-slate-600">
                      {o.packageId ? (
                        <Link href={`/packages/${o.packageId}`} className="text-brand-700 hover:underline">
                          {o.packageLabel}
                        </Link>
                      ) : (
                        o.packageLabel
                      )}
                      {o.packageDeleted ? <div className="text-xs text-slate-500">{`deleted package · ${o.sha256.slice(0, 12)}…`}</div> : null}
                    </Td>
                    <Td className="whitespace-normal">
                      <OrderStateBadge kind={o.kind} state={o.state} />
                      {o.error ? <div className="mt-1 max-w-xs text-xs text-rose-700">{o.error}</div> : null}
                    </Td>
                    <Td className="text-slate-600">
                      {formatDateTime(o.createdAt)}
                      {o.requestedBy ? <div className="text-xs text-slate-500">by {o.requestedBy}</div> : null}
                    </Td>
                    <Td className="text-slate-600">{o.doneAt ? formatDateTime(o.doneAt) : '—'}</Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title={`Machines it serves (${relay.machines.total})`}>
            {relay.machinesServedTotal > relay.machines.total ? <p className="mb-2 text-xs text-slate-500">{relay.machinesServedTotal} with those of its child relays.</p> : null}
            {relay.machines.list.length === 0 ? (
              <p className="text-sm text-slate-600">None yet. Choose this relay on a machine&rsquo;s page, or on a group&rsquo;s page for all its members.</p>
            ) : (
              <ul className="max-h-72 divide-y divide-slate-100 overflow-auto text-sm" data-testid="relay-machines">
                {relay.machines.list.map((m) => (
                  <li key={m.id} className="flex justify-between py-1.5">
                    <Link href={`/machines/${m.id}`} className="text-brand-700 hover:underline">
                      {m.hostname}
                    </Link>
                    <span className="text-xs text-slate-500">{m.via === 'machine' ? 'its own setting' : 'from its groups'}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Groups it serves">
            {relay.groups.length === 0 ? (
              <p className="text-sm text-slate-600">No group uses this relay.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm" data-testid="relay-groups">
                {relay.groups.map((g) => (
                  <li key={g.id} className="flex justify-between py-1.5">
                    <Link href={`/groups/${g.id}`} className="text-brand-700 hover:underline">
                      {g.name}
                    </Link>
                    <span className="text-xs text-slate-500">{g.members} machine(s)</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          {manage && pkgs ? (
            <>
              <Card title="Transfer to relay">
                <PrefetchForm relayId={relay.id} packages={pkgs.packages.map((p) => ({ id: p.id, label: `${p.displayName} — ${p.cabinet} / ${packageLabel(p)}` }))} />
              </Card>
              <Card title="Settings">
                <EditRelayForm id={relay.id} url={relay.url} parentId={relay.parentId} description={relay.description} parents={choices.filter((c) => c.id !== relay.id).map((c) => ({ id: c.id, name: c.name }))} />
              </Card>
              <Card title="Revoke">
                <RevokeRelayForm id={relay.id} name={relay.name} />
              </Card>
            </>
          ) : null}
          {relay.state === 'revoked' ? (
            <Card title="Revoked">
              <p className="text-sm text-slate-600">Revoked {formatDateTime(relay.revokedAt)}. Its token is refused; its history stays here.</p>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="text-slate-800">{children}</dd>
    </div>
  );
}
