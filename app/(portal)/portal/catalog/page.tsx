import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Catalog' };

export default async function Page() {
  await requirePageActor('portal.use');
  return (
    <>
      <PageHeader title="Catalog" description="Software your organisation offers for your machines. Choose what you want and when it installs." />
      <EmptyState icon="catalog" title="Nothing is offered yet">
        When your administrators offer software to your machines, it appears here for you to choose.
      </EmptyState>
    </>
  );
}
