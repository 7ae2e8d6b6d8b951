import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requirePageActor } from '@/lib/http/page-guard';

export const metadata: Metadata = { title: 'Relays' };

export default async function Page() {
  await requirePageActor('admin.view');
  return (
    <>
      <PageHeader title="Relays" description="Relay systems cache package content near the machines they serve." />
      <EmptyState icon="relay" title="No relay systems">
        A relay system (depot-relay) keeps packages close to its machines. Registered relays appear here with their health and cached packages.
      </EmptyState>
    </>
  );
}
