import type { Metadata } from 'next';
import { getDb } from '@/db/client';
import { requirePageActor } from '@/lib/http/page-guard';
import { listGroups } from '@/lib/groups/list-groups';
import { listMachines } from '@/lib/machines/list-machines';
import { listPackages } from '@/lib/packages/list-packages';
import { EmptyState, LinkButton, PageHeader } from '@/app/_components/ui';
import { NewJobForm } from './new-job-form';

export const metadata: Metadata = { title: 'New job' };

export default async function NewJobPage() {
  const actor = await requirePageActor('deploy.manage');
  const [packages, machines, groups] = await Promise.all([listPackages(getDb(), { actor, query: { pageSize: 200 } }), listMachines(getDb(), { actor, query: { pageSize: 200 } }), listGroups(getDb(), { actor })]);
  return (
    <>
      <PageHeader title="New job" description="What to install where and when. Machines pick the job up on their next poll." />
      {packages.packages.length === 0 || machines.machines.length === 0 ? (
        <EmptyState icon="job" title={packages.packages.length === 0 ? 'No packages yet' : 'No machines enrolled yet'} action={<LinkButton href={packages.packages.length === 0 ? '/packages/new' : '/machines'}>{packages.packages.length === 0 ? 'Upload a package' : 'Enrol machines'}</LinkButton>}>
          A job needs at least one package and one enrolled machine.
        </EmptyState>
      ) : (
        <NewJobForm
          packages={packages.packages.map((p) => ({ id: p.id, label: `${p.displayName} ${p.version} (${p.cabinet}/${p.packageId}, generation ${p.generation})`, expired: !!p.expiresAt && new Date(p.expiresAt) <= new Date() }))}
          machines={machines.machines.map((m) => ({ id: m.id, label: m.hostname, hint: m.os ?? 'OS not reported yet' }))}
          groups={groups.map((g) => ({ id: g.id, label: g.name, hint: `${g.members} machine${g.members === 1 ? '' : 's'}` }))}
        />
      )}
    </>
  );
}
