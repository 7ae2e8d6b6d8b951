import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Jobs' };

export default async function Page() {
  await requirePageActor('admin.view');
  return (
    <>
      <PageHeader title="Jobs" description="Install, offer, uninstall, inventory and transfer instructions, with live progress per machine." />
      <EmptyState icon="job" title="No jobs yet">
        A job sends one package to machines and groups, at once, at a time, or inside each machine&apos;s installation windows. Jobs need packages and enrolled machines first.
      </EmptyState>
    </>
  );
}
