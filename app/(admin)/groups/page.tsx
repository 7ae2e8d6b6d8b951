import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Groups' };

export default async function Page() {
  await requirePageActor('admin.view');
  return (
    <>
      <PageHeader title="Groups" description="Machine groups with their default installation windows and blackout dates." />
      <EmptyState icon="group" title="No groups yet">
        Groups let one job reach many machines, including machines that join later, and set default installation windows.
      </EmptyState>
    </>
  );
}
