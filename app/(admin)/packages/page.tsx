import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { requirePageActor } from '@/lib/http/page-guard';
import { listPackages } from '@/lib/packages/list-packages';
import { Badge, EmptyState, LinkButton, PageHeader, buttonClass, inputClass } from '@/app/_components/ui';
import { PackagesTable } from './packages-table';

export const metadata: Metadata = { title: 'Packages' };

export default async function PackagesPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('admin.view');
  const params = await searchParams;
  const result = await listPackages(getDb(), { actor, query: { q: params.q, page: params.page } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'invalid_input') return listPackages(getDb(), { actor });
    throw error;
  });
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const link = (page: number) => `/packages?${new URLSearchParams({ ...(params.q ? { q: params.q } : {}), page: String(page) })}`;
  return (
    <>
      <PageHeader
        title="Packages"
        description="Software registered for remote installation, across every cabinet. A package never changes: a new build is a new version or generation."
        actions={
          <>
            <Badge>{result.total} packages</Badge>
            {can(actor.role, 'deploy.manage') ? <LinkButton href="/packages/new">Upload package</LinkButton> : null}
          </>
        }
      />
      <form className="mb-4 flex gap-2" role="search">
        <label htmlFor="packages-q" className="sr-only">Search packages</label>
        <input id="packages-q" name="q" defaultValue={params.q ?? ''} placeholder="Search by package ID, name or category" className={`${inputClass} max-w-sm`} />
        <button className={buttonClass('secondary')}>Search</button>
      </form>
      {result.packages.length === 0 ? (
        <EmptyState icon="package" title={params.q ? 'No packages match' : 'No packages yet'}>
          {params.q ? 'Try another search.' : 'Register one with the upload page or depot-pack. Packages need a cabinet to live in: create one on the Cabinets page first.'}
        </EmptyState>
      ) : (
        <PackagesTable packages={result.packages} />
      )}
      {pages > 1 ? (
        <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm text-slate-600">
          <span>Page {result.page} of {pages}</span>
          <span className="flex gap-2">
            {result.page > 1 ? <Link className={buttonClass('secondary')} href={link(result.page - 1)}>← Previous</Link> : null}
            {result.page < pages ? <Link className={buttonClass('secondary')} href={link(result.page + 1)}>Next →</Link> : null}
          </span>
        </nav>
      ) : null}
    </>
  );
}
