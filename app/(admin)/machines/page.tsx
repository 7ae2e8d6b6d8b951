import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Machines' };

export default async function Page() {
  await requirePageActor('admin.view');
  return (
    <>
      <PageHeader title="Machines" description="Every enrolled machine: OS, owner, groups, last seen and what is pending." />
      <EmptyState icon="machine" title="No machines enrolled">
        Machines appear here when their agent enrols with an enrolment secret (depot-agent enroll --server URL --secret S).
      </EmptyState>
    </>
  );
}
