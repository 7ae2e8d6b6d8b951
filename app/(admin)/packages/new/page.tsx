import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { listCabinets } from '@/lib/cabinets/list-cabinets';
import { getProcessContentStore } from '@/lib/content/store';
import { formatBytes } from '@/lib/format-bytes';
import { requirePageActor } from '@/lib/http/page-guard';
import { EmptyState, LinkButton, PageHeader } from '@/app/_components/ui';
import { UploadForm } from './upload-form';

export const metadata: Metadata = { title: 'Upload package' };

export default async function NewPackagePage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('deploy.manage');
  const { cabinet } = await searchParams;
  const cabinets = await listCabinets(getDb(), { actor });
  return (
    <>
      <Link href="/packages" className="mb-3 inline-block text-sm text-brand-700 hover:underline">← Packages</Link>
      <PageHeader
        title="Upload package"
        description={`Register software in a cabinet: its installation information and one file (at most ${formatBytes(getProcessContentStore().maxBytes)}). The same from a build pipeline: depot-pack.`}
      />
      {cabinets.length === 0 ? (
        <EmptyState icon="cabinet" title="Create a cabinet first" action={<LinkButton href="/cabinets">Go to Cabinets</LinkButton>}>
          Every package lives in a cabinet.
        </EmptyState>
      ) : (
        <UploadForm cabinets={cabinets.map((c) => c.name)} initialCabinet={cabinet && cabinets.some((c) => c.name === cabinet) ? cabinet : cabinets[0].name} />
      )}
    </>
  );
}
