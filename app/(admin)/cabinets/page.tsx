import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Cabinets' };

export default async function Page() {
  await requirePageActor('admin.view');
  return (
    <>
      <PageHeader title="Cabinets" description="Named storage locations on this server that hold packages." />
      <EmptyState icon="cabinet" title="No cabinets yet">
        Cabinets hold your packages. Creating cabinets and registering packages with depot-pack or the upload page comes with the next release of this page.
      </EmptyState>
    </>
  );
}
