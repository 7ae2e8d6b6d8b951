import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { requirePageActor } from '@/lib/http/page-guard';
import { listRelays } from '@/lib/relays/list-relays';
import { Badge, Card, EmptyState, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { ago, DiskBar, RelayStateBadge } from './relay-bits';
import { CreateRelayForm } from './relay-forms';

export const metadata: Metadata = { title: 'Relays' };

export default async function RelaysPage() {
  const actor = await requirePageActor('admin.view');
  const relays = await listRelays(getDb(), { actor });
  const manage = can(actor.role, 'relays.manage');
  const h = await headers();
  const serverUrl = process.env.NEXTAUTH_URL ?? `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host')}`;
  const now = new Date();
  const active = relays.filter((r) => r.state !== 'revoked');
  return (
    <>
      <PageHeader
        title="Relays"
        description="Relay systems cache package content near the machines they serve: each fetches a package once and serves it to its machines, which fall back to the managing server when it does not answer."
        actions={<Badge>{active.length} active</Badge>}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {relays.length === 0 ? (
            <EmptyState icon="relay" title="No relay systems yet">
              <p>
                A relay system keeps packages close to a site&rsquo;s machines. {manage ? 'Register one here, ' : 'An admin registers one here, '}then run it on a host the machines can reach:
              </p>
              <code className="mt-3 block break-all rounded bg-slate-100 px-2 py-1.5 text-left font-mono text-xs text-slate-800">
                depot-relay --server {serverUrl} --token T --listen :PORT --cache DIR
              </code>
              <p className="mt-3">Then choose it on a machine&rsquo;s or a group&rsquo;s page: their agents download through it from their next poll.</p>
            </EmptyState>
          ) : (
            <Table head={['Relay', 'State', 'Last heartbeat', 'Disk', 'Cached', 'Machines']} caption="Relay systems">
              {relays.map((r) => (
                <tr key={r.id} data-testid={`relay-row-${r.name}`}>
                  <Td>
                    <Link href={`/relays/${r.id}`} className="font-medium text-brand-700 hover:underline">
                      {r.name}
                    </Link>
                    <div className="font-mono text-xs text-slate-500">{r.url}</div>
                    {r.parent ? <div className="text-xs text-slate-500">via {r.parent}</div> : null}
                  </Td>
                  <Td>
                    <RelayStateBadge state={r.state} />
                    {r.requestedOrders ? <div className="mt-1 text-xs text-slate-500">{r.requestedOrders} order(s) waiting</div> : null}
                  </Td>
                  <Td className="text-slate-600">
                    {ago(r.lastHeartbeatAt, now)}
                    {r.lastHeartbeatAt ? <div className="text-xs text-slate-500">{formatDateTime(r.lastHeartbeatAt)}</div> : null}
                  </Td>
                  <Td>
                    <DiskBar used={r.cacheUsedBytes} free={r.diskFreeBytes} limit={r.cacheLimitBytes} label={`${r.name} cache`} />
                  </Td>
                  <Td className="text-slate-600">{r.heldCount} package(s)</Td>
                  <Td className="text-slate-600">{r.machinesServed}</Td>
                </tr>
              ))}
            </Table>
          )}
        </div>
        {manage ? (
          <Card title="New relay system">
            <CreateRelayForm serverUrl={serverUrl} parents={active.map((r) => ({ id: r.id, name: r.name }))} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
