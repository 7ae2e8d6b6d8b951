import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { getCabinet } from '@/lib/cabinets/get-cabinet';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { packageLabel } from '@/lib/packages/public-package';
import { Card, EmptyState, LinkButton, PageHeader } from '@/app/_components/ui';
import { PackagesTable } from '../../packages/packages-table';
import { DeleteCabinetForm } from './delete-cabinet-form';

export const metadata: Metadata = { title: 'Cabinet' };

export default async function CabinetPage({ params }: { params: Promise<{ name: string }> }) {
  const actor = await requirePageActor('admin.view');
  const { name } = await params;
  const detail = await loadOr404(() => getCabinet(getDb(), { actor, name: decodeURIComponent(name), page: 1 }));
  const manage = can(actor.role, 'deploy.manage');
  const { cabinet, packages } = detail;
  return (
    <>
      <Link href="/cabinets" className="mb-3 inline-block text-sm text-brand-700 hover:underline">← All cabinets</Link>
      <PageHeader
        title={cabinet.name}
        description={cabinet.description || 'No description.'}
        actions={manage ? <LinkButton href={`/packages/new?cabinet=${encodeURIComponent(cabinet.name)}`}>Upload package</LinkButton> : null}
      />
      <div className="space-y-6">
        {packages.total === 0 ? (
          <EmptyState icon="package" title="This cabinet is empty">
            Register a package here with the upload page, or from a build with{' '}
            <code className="rounded bg-slate-100 px-1">depot-pack --cabinet {cabinet.name} …</code>
          </EmptyState>
        ) : (
          <PackagesTable packages={packages.packages} showCabinet={false} />
        )}
        {manage ? (
          <Card title="Delete cabinet">
            <DeleteCabinetForm name={cabinet.name} packages={packages.packages.map(packageLabel)} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
