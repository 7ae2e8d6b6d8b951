import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { listEnrolmentSecrets } from '@/lib/machines/list-enrolment-secrets';
import { listMachines, machineFilterChoices } from '@/lib/machines/list-machines';
import type { MachineRelay } from '@/lib/relays/relays-of-machines';
import { Pager, pageHref } from '@/app/_components/list-controls';
import { Badge, Card, EmptyState, PageHeader, Table, Td, buttonClass, formatDateTime, inputClass } from '@/app/_components/ui';
import { CreateEnrolmentSecretForm, RevokeEnrolmentSecretButton } from './enrolment-forms';

export const metadata: Metadata = { title: 'Machines' };

export default async function MachinesPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('admin.view');
  const params = await searchParams;
  // Side by side: none depends on another, and the page waits for the slowest, not the sum.
  const [result, choices, secrets] = await Promise.all([
    withDefaultsOnBadQuery(
      () => listMachines(getDb(), { actor, query: { q: params.q, os: params.os, group: params.group, owner: params.owner, state: params.state, page: params.page } }),
      () => listMachines(getDb(), { actor }),
    ),
    machineFilterChoices(getDb(), { actor }),
    can(actor.role, 'secrets.manage') ? listEnrolmentSecrets(getDb(), { actor }) : null,
  ]);
  const filtered = Object.values(result.filters).some(Boolean);
  const h = await headers();
  const serverUrl = process.env.NEXTAUTH_URL ?? `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host')}`;
  return (
    <>
      <PageHeader title="Machines" description="Every enrolled machine: its host name, time zone, owner and when its agent last polled." actions={<Badge>{result.total} machines</Badge>} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <MachineFilters filters={result.filters} choices={choices} />
          {result.machines.length === 0 ? (
            <EmptyState icon="machine" title={filtered ? 'No machines match' : 'No machines enrolled'}>
              {filtered ? (
                <>
                  Change the filters or <Link href="/machines" className="text-brand-700 underline">show every machine</Link>.
                </>
              ) : (
                'Create an enrolment secret, then run depot-agent enroll on each machine. Machines appear here as they enrol.'
              )}
            </EmptyState>
          ) : (
            <Table head={['Machine', 'State', 'Owner', 'Groups', 'Relay', 'Pending', 'Failed']} caption="Machines">
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
                      {m.retiredAt ? <Badge tone="red">Retired</Badge> : m.online ? <Badge tone="green">Online</Badge> : <Badge>Offline</Badge>}
                      <div className="text-xs text-slate-500">{m.lastSeenAt ? `seen ${formatDateTime(m.lastSeenAt)}` : 'never seen'}</div>
                    </Td>
                    <Td className="text-slate-600">{m.owner ?? '—'}</Td>
                    <Td className="text-slate-600">{m.groups.length ? m.groups.map((g) => g.name).join(', ') : '—'}</Td>
                    <Td className="text-slate-600">
                      <RelayCell relay={m.relay} />
                    </Td>
                    <Td className="text-slate-600">{m.pending || '—'}</Td>
                    <Td>{m.failed ? <Badge tone="red">{m.failed} failed</Badge> : <span className="text-slate-400">—</span>}</Td>
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

const STATE_LABELS = { online: 'Online', offline: 'Offline', never: 'Never seen', failing: 'With failures', retired: 'Retired' } as const;

/** A GET form: the filters live in the URL, so a filtered list can be linked and reloaded. */
function MachineFilters({ filters, choices }: { filters: Record<string, string | undefined>; choices: Awaited<ReturnType<typeof machineFilterChoices>> }) {
  const select = (id: string, label: string, name: string, options: [string, string][]) => (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">
        {label}
      </label>
      <select id={id} name={name} defaultValue={filters[name] ?? ''} className={inputClass}>
        <option value="">Any</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form role="search" aria-label="Filter machines" className="mb-4 grid items-end gap-2 sm:grid-cols-3 xl:grid-cols-6">
      <div className="sm:col-span-3 xl:col-span-2">
        <label htmlFor="machines-q" className="mb-1 block text-xs font-medium text-slate-600">
          Host name
        </label>
        <input id="machines-q" name="q" defaultValue={filters.q ?? ''} placeholder="Search by host name" className={inputClass} />
      </div>
      {select('machines-state', 'State', 'state', Object.entries(STATE_LABELS))}
      {select('machines-os', 'OS', 'os', choices.os.map((o) => [o, o]))}
      {select('machines-group', 'Group', 'group', choices.groups.map((g) => [g.id, g.name]))}
      {select('machines-owner', 'Owner', 'owner', [['none', 'No owner'], ...choices.owners.map((o): [string, string] => [o.id, o.email])])}
      <div className="flex gap-2 sm:col-span-3 xl:col-span-6">
        <button className={buttonClass('secondary')}>Apply filters</button>
        <Link href="/machines" className={buttonClass('secondary')}>
          Clear
        </Link>
      </div>
    </form>
  );
}

/**
 * Where the machine downloads from first, as its plan says. A revoked relay serves nobody: the
 * column names the parent relay the plan falls back to, else the server, with the revoked
 * setting beside it as a muted badge (so the admin sees why, and what to change).
 */
function RelayCell({ relay }: { relay: MachineRelay | null }) {
  if (!relay) {
    return (
      <span className="text-slate-400" title="Downloads straight from the managing server">
        —
      </span>
    );
  }
  const source = relay.downloadsFrom;
  return (
    <>
      {source ? (
        <Link href={`/relays/${source.id}`} className="text-brand-700 hover:underline">
          {source.name}
        </Link>
      ) : (
        <span title="Downloads straight from the managing server">Server</span>
      )}
      {relay.revoked ? (
        <div className="mt-0.5" title={`Its ${relay.via === 'group' ? 'groups’ ' : ''}relay ${relay.name} was revoked; ${source ? `it downloads through ${source.name}, a parent of it` : 'it downloads from the managing server'}`}>
          <Badge>{`${relay.name} (revoked)`}</Badge>
        </div>
      ) : null}
      {relay.via === 'group' ? <div className="text-xs text-slate-500">from its groups</div> : null}
    </>
  );
}
