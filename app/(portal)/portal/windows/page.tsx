import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Installation windows' };

export default async function Page() {
  await requirePageActor('portal.use');
  return (
    <>
      <PageHeader title="Installation windows" description="The hours each of your machines may install software, in the machine&apos;s own time zone." />
      <EmptyState icon="clock" title="No machines to schedule">
        Once you own an enrolled machine, set here when it may install: for example weekday evenings after 18:00.
      </EmptyState>
    </>
  );
}
