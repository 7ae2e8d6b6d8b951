import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'My machines' };

export default async function Page() {
  await requirePageActor('portal.use');
  return (
    <>
      <PageHeader title="My machines" description="The machines you own, what is pending on each and when it will happen." />
      <EmptyState icon="machine" title="You have no machines yet">
        Machines appear here when an administrator makes you their owner. Ask your IT team if a machine of yours is missing.
      </EmptyState>
    </>
  );
}
