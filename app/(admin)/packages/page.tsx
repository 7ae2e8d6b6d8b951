import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Packages' };

export default async function Page() {
  await requirePageActor('admin.view');
  return (
    <>
      <PageHeader title="Packages" description="Software registered for remote installation, across every cabinet." />
      <EmptyState icon="package" title="No packages yet">
        Packages appear here once they are registered in a cabinet, with their version, generation, size and SHA-256.
      </EmptyState>
    </>
  );
}
