import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'History' };

export default async function Page() {
  await requirePageActor('portal.use');
  return (
    <>
      <PageHeader title="History" description="Every installation attempt on your machines, with its outcome and reason." />
      <EmptyState icon="history" title="No history yet">
        Each install, skip and failure on your machines will be listed here with the reason.
      </EmptyState>
    </>
  );
}
