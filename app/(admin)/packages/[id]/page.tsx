import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { formatBytes } from '@/lib/format-bytes';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { getPackage } from '@/lib/packages/get-package';
import { listPackageJobs } from '@/lib/packages/list-package-jobs';
import { packageLabel } from '@/lib/packages/public-package';
import { Badge, Card, PageHeader, Table, Td, buttonClass, formatDateTime } from '@/app/_components/ui';
import { Icon } from '@/app/_components/icons';
import { JobProgress } from '@/app/_components/job-progress';
import { JOB_KIND_LABEL, JOB_STATE_TONE } from '../../jobs/labels';
import { DeletePackageForm, EditPackageForm } from './package-forms';
import { getPackageRelays } from '@/lib/relays/get-package-relays';
import { ORDER_KIND_LABEL, OrderStateBadge, RelayStateBadge } from '../../relays/relay-bits';
import { DeleteFromRelaysForm, TransferToRelaysForm } from './relay-forms';

export const metadata: Metadata = { title: 'Package' };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 py-2">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="col-span-2 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

const argv = (a: string[] | undefined) => (a ? <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">{JSON.stringify(a)}</code> : <span className="text-slate-500">—</span>);

export default async function PackagePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('admin.view');
  const { id } = await params;
  const pkg = await loadOr404(() => getPackage(getDb(), { actor, id }));
  const packageJobs = await loadOr404(() => listPackageJobs(getDb(), { actor, id }));
  const onRelays = await getPackageRelays(getDb(), { actor, id: pkg.id });
  const holders = onRelays.relays.filter((r) => r.holds);
  const orderable = onRelays.relays.filter((r) => r.state !== 'revoked');
  const manageRelays = can(actor.role, 'relays.manage') && orderable.length > 0;
  const m = pkg.manifest;
  const c = m.conditions;
  const manage = can(actor.role, 'deploy.manage');
  return (
    <>
      <Link href={`/cabinets/${pkg.cabinet}`} className="mb-3 inline-block text-sm text-brand-700 hover:underline">← Cabinet {pkg.cabinet}</Link>
      <PageHeader
        title={pkg.displayName}
        description={`${pkg.cabinet} / ${packageLabel(pkg)}`}
        actions={
          <>
            <Badge tone="blue">{pkg.installerKind}</Badge>
            {pkg.selfService ? <Badge tone="green">self-service</Badge> : null}
            <a href={`/api/packages/${pkg.id}/content`} className={buttonClass('secondary')}>
              <Icon name="download" className="h-4 w-4" /> Download
            </a>
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Package">
            <dl className="divide-y divide-slate-100">
              <Row label="Package ID"><span className="font-mono">{pkg.packageId}</span></Row>
              <Row label="Version / generation">{pkg.version} / {pkg.generation}</Row>
              <Row label="Publisher">{pkg.publisher || '—'}</Row>
              <Row label="Category">{pkg.category || '—'}</Row>
              <Row label="Description"><span className="whitespace-pre-line">{pkg.description || '—'}</span></Row>
              <Row label="File">{pkg.fileName} ({formatBytes(pkg.size)})</Row>
              <Row label="SHA-256"><span className="font-mono text-xs" data-testid="package-sha256">{pkg.sha256}</span></Row>
              <Row label="Expires">{pkg.expiresAt ? formatDateTime(pkg.expiresAt) : 'Never'}</Row>
              <Row label="Registered">{formatDateTime(pkg.createdAt)}</Row>
            </dl>
          </Card>
          <Card title="Installation">
            <dl className="divide-y divide-slate-100">
              <Row label="Install">{argv(m.installer.install)}</Row>
              <Row label="Uninstall">{argv(m.installer.uninstall)}</Row>
              {m.installer.extractTo ? <Row label="Extract to"><span className="font-mono">{m.installer.extractTo}</span></Row> : null}
              <Row label="Success exit codes">{m.installer.successExitCodes.join(', ')}</Row>
              <Row label="Timeout">{m.installer.timeoutSeconds} s</Row>
              <Row label="Reboot">{m.installer.reboot}</Row>
              <Row label="Detection">
                {m.detection.kind === 'none' ? 'None (always installs)' : <code className="font-mono text-xs">{JSON.stringify(m.detection)}</code>}
              </Row>
            </dl>
          </Card>
          <Card title="Installation conditions">
            {Object.keys(c).length === 0 ? (
              <p className="text-sm text-slate-600">None: installs on any machine.</p>
            ) : (
              <dl className="divide-y divide-slate-100">
                {c.platforms ? <Row label="Platforms">{c.platforms.join(', ')}</Row> : null}
                {c.architectures ? <Row label="Architectures">{c.architectures.join(', ')}</Row> : null}
                {c.minFreeDisk ? <Row label="Free disk">{c.minFreeDisk.mib} MiB on {c.minFreeDisk.path}</Row> : null}
                {c.minMemoryMiB ? <Row label="Memory">{c.minMemoryMiB} MiB</Row> : null}
                {c.requires?.length ? <Row label="Requires">{c.requires.map((r) => `${r.name}${r.versions ? ` ${r.versions}` : ''}`).join('; ')}</Row> : null}
                {c.conflicts?.length ? <Row label="Conflicts with">{c.conflicts.map((r) => `${r.name}${r.versions ? ` ${r.versions}` : ''}`).join('; ')}</Row> : null}
              </dl>
            )}
          </Card>
          <Card title="Jobs using this package">
            {packageJobs.jobs.length === 0 ? (
              <p className="text-sm text-slate-600">No job uses this package. Jobs that install, offer or uninstall it will be listed here.</p>
            ) : (
              <>
                <Table head={['Job', 'Kind', 'State', 'Progress', 'Created']} caption="Jobs using this package">
                  {packageJobs.jobs.map((j) => (
                    <tr key={j.id} data-testid={`package-job-${j.name}`}>
                      <Td>
                        <Link href={`/jobs/${j.id}`} className="font-medium text-brand-700 hover:underline">
                          {j.name}
                        </Link>
                      </Td>
                      <Td className="text-slate-600">{JOB_KIND_LABEL[j.kind]}</Td>
                      <Td>
                        <Badge tone={JOB_STATE_TONE[j.state]}>{j.state}</Badge>
                      </Td>
                      <Td>
                        <JobProgress kind={j.kind} counts={j.counts} total={j.total} />
                      </Td>
                      <Td className="text-slate-600">{formatDateTime(j.createdAt)}</Td>
                    </tr>
                  ))}
                </Table>
                {packageJobs.total > packageJobs.jobs.length ? (
                  <p className="mt-3 text-xs text-slate-500">
                    The newest {packageJobs.jobs.length} of {packageJobs.total} jobs; the others are on the <Link href="/jobs" className="text-brand-700 hover:underline">Jobs</Link> page.
                  </p>
                ) : null}
              </>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Relays">
            {onRelays.relays.length === 0 ? (
              <p className="text-sm text-slate-600">
                No relay systems. <Link href="/relays" className="text-brand-700 hover:underline">Register one</Link> to cache packages near a site&rsquo;s machines.
              </p>
            ) : (
              <div className="space-y-4">
                {holders.length === 0 ? (
                  <p className="text-sm text-slate-600" data-testid="package-relay-holders">No relay holds it (as of their latest heartbeats).</p>
                ) : (
                  <ul className="divide-y divide-slate-100 text-sm" data-testid="package-relay-holders">
                    {holders.map((r) => (
                      <li key={r.id} className="flex items-center justify-between gap-2 py-1.5">
                        <Link href={`/relays/${r.id}`} className="text-brand-700 hover:underline">
                          {r.name}
                        </Link>
                        <span className="flex items-center gap-2 text-xs text-slate-500">
                          {r.lastUsedAt ? `used ${formatDateTime(r.lastUsedAt)}` : 'not used yet'} <RelayStateBadge state={r.state} />
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
                {onRelays.orders.length ? (
                  <ul className="space-y-1 text-xs text-slate-600" data-testid="package-relay-orders">
                    {onRelays.orders.slice(0, 10).map((o) => (
                      <li key={o.id} className="flex flex-wrap items-center gap-1">
                        <OrderStateBadge kind={o.kind} state={o.state} /> {ORDER_KIND_LABEL[o.kind]} on {o.relay} · {formatDateTime(o.createdAt)}
                        {o.error ? <span className="text-rose-700">· {o.error}</span> : null}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {manageRelays ? (
                  <>
                    <TransferToRelaysForm packageId={pkg.id} relays={orderable.map((r) => ({ id: r.id, name: r.name, holds: r.holds }))} />
                    <DeleteFromRelaysForm packageId={pkg.id} holders={holders.length} />
                  </>
                ) : null}
              </div>
            )}
          </Card>
          {manage ? (
            <>
              <Card title="Edit">
                <EditPackageForm id={pkg.id} description={pkg.description} category={pkg.category} selfService={pkg.selfService} />
              </Card>
              <Card title="Delete">
                <DeletePackageForm id={pkg.id} cabinet={pkg.cabinet} label={packageLabel(pkg)} />
              </Card>
            </>
          ) : null}
        </div>
      </div>
    </>
  );
}
