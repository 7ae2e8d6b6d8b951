import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { listEnrolmentSecrets } from '@/lib/machines/list-enrolment-secrets';
import { listMachines } from '@/lib/machines/list-machines';
import { Pager, SearchForm, pageHref } from '@/app/_components/list-controls';
import { Badge, Card, EmptyState, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { CreateEnrolmentSecretForm, RevokeEnrolmentSecretButton } from './enrolment-forms';

export const metadata: Metadata = { title: 'Machines' };

export default async function MachinesPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('admin.view');
  const params = await searchParams;
  const result = await withDefaultsOnBadQuery(
    () => listMachines(getDb(), { actor, query: { q: params.q, page: params.page } }),
    () => listMachines(getDb(), { actor }),
  );
  const secrets = can(actor.role, 'secrets.manage') ? await listEnrolmentSecrets(getDb(), { actor }) : null;
  const h = await headers();
  const serverUrl = process.env.NEXTAUTH_URL ?? `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host')}`;
  return (
    <>
      <PageHeader title="Machines" description="Every enrolled machine: its host name, time zone, owner and when its agent last polled." actions={<Badge>{result.total} machines</Badge>} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <SearchForm id="machines-q" label="Search machines" placeholder="Search by host name" value={params.q} />
          {result.machines.length === 0 ? (
            <EmptyState icon="machine" title={params.q ? 'No machines match' : 'No machines enrolled'}>
              {params.q ? 'Try another search.' : 'Create an enrolment secret, then run depot-agent enroll on each machine. Machines appear here as they enrol.'}
            </EmptyState>
          ) : (
            <Table head={['Machine', 'State', 'Time zone', 'Owner', 'Enrolled with']} caption="Machines">
              {result.machines.map((m) => {
                return (
                  <tr key={m.id} data-testid={`machine-row-${m.hostname}`}>
                    <Td>
                      <Link href={`/machines/${m.id}`} className="font-medium text-brand-700 hover:underline">
                        {m.hostname}
                      </Link>
                      <div className="text-xs text-slate-500">{m.os ?? 'OS not reported yet'}</div>
                    </Td>
                    <Td>
                      {m.online ? <Badge tone="green">Online</Badge> : <Badge>Offline</Badge>}
                      <div className="text-xs text-slate-500">{m.lastSeenAt ? `seen ${formatDateTime(m.lastSeenAt)}` : 'never seen'}</div>
                    </Td>
                    <Td className="text-slate-600">{m.timeZone}</Td>
                    <Td className="text-slate-600">{m.owner ?? '—'}</Td>
                    <Td className="text-slate-600">{m.enrolmentSecret ?? '—'}</Td>
                  </tr>
                );
              })}
            </Table>
          )}
          <Pager page={result.page} total={result.total} pageSize={result.pageSize} href={(page) => pageHref('/machines', params, page)} />
        </div>
        {secrets ? (
          <div className="space-y-6">
            <Card title="New enrolment secret">
              <CreateEnrolmentSecretForm serverUrl={serverUrl} />
            </Card>
            <Card title="Enrolment secrets">
              {secrets.length === 0 ? (
                <p className="text-sm text-slate-600">None yet. A secret lets machines enrol; each then gets its own token.</p>
              ) : (
                <ul className="divide-y divide-slate-100">
                  {secrets.map((s) => (
                    <li key={s.id} className="flex items-start justify-between gap-3 py-2 text-sm" data-testid={`secret-row-${s.name}`}>
                      <div>
                        <div className="font-medium">{s.name}</div>
                        <div className="text-xs text-slate-500">
                          <span className="font-mono">{s.prefix}…</span> · {s.machines} machine{s.machines === 1 ? '' : 's'} · used {s.uses}
                          {s.maxUses ? ` of ${s.maxUses}` : ''}
                          {s.expiresAt ? ` · expires ${formatDateTime(s.expiresAt)}` : ''}
                        </div>
                      </div>
                      {s.revokedAt ? <Badge tone="red">Revoked</Badge> : <RevokeEnrolmentSecretButton id={s.id} name={s.name} />}
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
        ) : null}
      </div>
    </>
  );
}
