import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { formatBytes } from '@/lib/format-bytes';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { listCatalog, type CatalogEntry } from '@/lib/portal/list-catalog';
import { Pager, pageHref } from '@/app/_components/list-controls';
import { Badge, EmptyState, LinkButton, PageHeader, buttonClass, formatDateTime, inputClass } from '@/app/_components/ui';
import { AssignmentActions } from '../_components/assignment-actions';
import { ChoiceFeedback } from '../_components/choice-feedback';
import { ChoiceStatusBadge } from '../_components/choice-status-badge';
import { ChooseForm } from './choose-form';

export const metadata: Metadata = { title: 'Catalog' };

export default async function CatalogPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('portal.use');
  const params = await searchParams;
  const catalog = await withDefaultsOnBadQuery(
    () => listCatalog(getDb(), { actor, query: { q: params.q, category: params.category, showRejected: params.showRejected, page: params.page } }),
    () => listCatalog(getDb(), { actor }),
  );
  const { q, category, showRejected } = catalog.query;
  const filtered = !!(q || category);
  return (
    <>
      <PageHeader title="Catalog" description="Software your organisation offers for your machines. Choose what you want on which machine; it installs in the machine’s installation windows, or at once where the offer allows it." />
      {catalog.machines === 0 ? (
        <EmptyState icon="machine" title="You have no machines yet">
          The catalog lists what is offered to your machines. Machines appear when an administrator makes you their owner: ask your IT team if one of yours is missing.
        </EmptyState>
      ) : (
        <>
          <form role="search" aria-label="Search the catalog" className="mb-4 flex flex-wrap items-end gap-3">
            <div className="min-w-56 flex-1">
              <label htmlFor="catalog-q" className="mb-1 block text-sm font-medium text-slate-700">
                Search
              </label>
              <input id="catalog-q" name="q" type="search" defaultValue={q ?? ''} placeholder="Name, package ID, publisher or description" className={inputClass} />
            </div>
            {catalog.categories.length ? (
              <div>
                <label htmlFor="catalog-category" className="mb-1 block text-sm font-medium text-slate-700">
                  Category
                </label>
                <select id="catalog-category" name="category" defaultValue={category ?? ''} className={inputClass}>
                  <option value="">All categories</option>
                  {catalog.categories.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
            <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
              <input type="checkbox" name="showRejected" value="true" defaultChecked={showRejected} /> Show rejected
            </label>
            <button className={buttonClass('secondary')}>Search</button>
          </form>
          {catalog.rejected > 0 && !showRejected && catalog.entries.length > 0 ? (
            <p className="mb-4 text-sm text-slate-600">
              {catalog.rejected} rejected offer{catalog.rejected === 1 ? ' is' : 's are'} hidden.{' '}
              <Link href={`/portal/catalog?${new URLSearchParams({ ...(q ? { q } : {}), ...(category ? { category } : {}), showRejected: 'true' })}`} className="font-medium text-brand-700 hover:underline">
                Show them
              </Link>
            </p>
          ) : null}
          {catalog.entries.length === 0 ? (
            <Empty filtered={filtered} q={q} rejected={showRejected ? 0 : catalog.rejected} />
          ) : (
            <ChoiceFeedback>
              <ul className="space-y-4" aria-label="Offered packages">
                {catalog.entries.map((entry) => (
                  <li key={entry.id}>
                    <PackageCard entry={entry} />
                  </li>
                ))}
              </ul>
            </ChoiceFeedback>
          )}
          <Pager page={catalog.page} total={catalog.total} pageSize={catalog.pageSize} href={(page) => pageHref('/portal/catalog', params, page)} />
        </>
      )}
    </>
  );
}

function Empty({ filtered, q, rejected }: { filtered: boolean; q?: string; rejected: number }) {
  if (filtered) {
    return (
      <EmptyState icon="catalog" title={q ? `Nothing offered matches “${q}”` : 'Nothing offered in this category'} action={<LinkButton href="/portal/catalog" kind="secondary">Clear the search</LinkButton>}>
        Try another word or category, or clear the search to see everything offered to your machines.
      </EmptyState>
    );
  }
  if (rejected > 0) {
    return (
      <EmptyState icon="catalog" title="You rejected every offer" action={<LinkButton href="/portal/catalog?showRejected=true" kind="secondary">Show rejected offers</LinkButton>}>
        {rejected} rejected offer{rejected === 1 ? ' is' : 's are'} hidden. Show them to change your mind while the offers last.
      </EmptyState>
    );
  }
  return (
    <EmptyState icon="catalog" title="Nothing is offered to your machines yet" action={<LinkButton href="/portal" kind="secondary">See my machines</LinkButton>}>
      When your IT team offers software to your machines, it appears here for you to choose. Installs your organisation requires are on My machines.
    </EmptyState>
  );
}

function PackageCard({ entry }: { entry: CatalogEntry }) {
  const software = `${entry.displayName} ${entry.version}`;
  const headingId = `package-${entry.id}`;
  const offered = entry.machines.filter((m) => m.state === 'offered');
  const expiry = entry.machines.map((m) => m.expiresAt).filter((e): e is string => !!e).sort()[0];
  return (
    <article aria-labelledby={headingId} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={headingId} className="text-base font-semibold text-slate-900">
            {entry.displayName} <span className="font-normal text-slate-600">{entry.version}</span>
          </h2>
          <p className="mt-0.5 text-xs text-slate-500">
            {[entry.publisher, formatBytes(entry.size), entry.packageId].filter(Boolean).join(' · ')}
            {expiry ? ` · offered until ${formatDateTime(expiry)}` : ''}
          </p>
        </div>
        {entry.category ? <Badge tone="gray">{entry.category}</Badge> : null}
      </div>
      {entry.description ? <p className="mt-2 whitespace-pre-line text-sm text-slate-700">{entry.description}</p> : null}
      <ul className="mt-3 divide-y divide-slate-100" aria-label={`Your machines offered ${software}`}>
        {entry.machines.map((m) => (
          <li key={m.machineId} className="flex flex-wrap items-start justify-between gap-3 py-2" data-testid={`catalog-${entry.packageId}-${m.hostname}`}>
            <div className="flex items-center gap-2 text-sm">
              <span className="font-medium text-slate-800">{m.hostname}</span>
              <ChoiceStatusBadge state={m.state} removal={m.removal} />
            </div>
            <AssignmentActions
              choice={{
                machineId: m.machineId,
                hostname: m.hostname,
                assignmentId: m.assignmentId,
                software,
                jobKind: 'offer',
                state: m.state,
                runNow: m.runNow,
                allowInstallNow: m.allowInstallNow,
                uninstallable: entry.uninstallable,
                removal: m.removal,
              }}
            />
          </li>
        ))}
      </ul>
      {offered.length ? <ChooseForm packageId={entry.id} software={software} machines={offered.map((m) => ({ machineId: m.machineId, hostname: m.hostname, allowInstallNow: m.allowInstallNow }))} /> : null}
    </article>
  );
}
