import type { Metadata } from 'next';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { listPackages } from '@/lib/packages/list-packages';
import { Pager, SearchForm, pageHref } from '@/app/_components/list-controls';
import { Badge, EmptyState, LinkButton, PageHeader } from '@/app/_components/ui';
import { PackagesTable } from './packages-table';

export const metadata: Metadata = { title: 'Packages' };

export default async function PackagesPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('admin.view');
  const params = await searchParams;
  const result = await withDefaultsOnBadQuery(
    () => listPackages(getDb(), { actor, query: { q: params.q, page: params.page } }),
    () => listPackages(getDb(), { actor }),
  );
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
      <SearchForm id="packages-q" label="Search packages" placeholder="Search by package ID, name or category" value={params.q} />
      {result.packages.length === 0 ? (
        <EmptyState icon="package" title={params.q ? 'No packages match' : 'No packages yet'}>
          {params.q ? 'Try another search.' : 'Register one with the upload page or depot-pack. Packages need a cabinet to live in: create one on the Cabinets page first.'}
        </EmptyState>
      ) : (
        <PackagesTable packages={result.packages} />
      )}
      <Pager page={result.page} total={result.total} pageSize={result.pageSize} href={(page) => pageHref('/packages', params, page)} />
    </>
  );
}
