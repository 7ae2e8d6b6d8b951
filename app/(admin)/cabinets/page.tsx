import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { listCabinets } from '@/lib/cabinets/list-cabinets';
import { formatBytes } from '@/lib/format-bytes';
import { requirePageActor } from '@/lib/http/page-guard';
import { Card, EmptyState, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { CreateCabinetForm } from './create-cabinet-form';

export const metadata: Metadata = { title: 'Cabinets' };

export default async function CabinetsPage() {
  const actor = await requirePageActor('admin.view');
  const cabinets = await listCabinets(getDb(), { actor });
  const manage = can(actor.role, 'deploy.manage');
  return (
    <>
      <PageHeader title="Cabinets" description="Named storage locations on this server that hold packages. A package stays in the cabinet it was registered in." />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {cabinets.length === 0 ? (
            <EmptyState icon="cabinet" title="No cabinets yet">
              {manage ? 'Create the first cabinet on the right, then register packages in it with depot-pack or the upload page.' : 'A deployer or admin creates cabinets; they will be listed here.'}
            </EmptyState>
          ) : (
            <Table head={['Cabinet', 'Packages', 'Total size', 'Created']} caption="Cabinets">
              {cabinets.map((c) => (
                <tr key={c.id} data-testid={`cabinet-row-${c.name}`}>
                  <Td>
                    <Link href={`/cabinets/${c.name}`} className="font-medium text-brand-700 hover:underline">
                      {c.name}
                    </Link>
                    {c.description ? <div className="text-xs text-slate-500">{c.description}</div> : null}
                  </Td>
                  <Td className="tabular-nums">{c.packageCount}</Td>
                  <Td className="tabular-nums">{formatBytes(c.totalBytes)}</Td>
                  <Td className="text-slate-600">{formatDateTime(c.createdAt)}</Td>
                </tr>
              ))}
            </Table>
          )}
        </div>
        {manage ? (
          <Card title="New cabinet">
            <CreateCabinetForm />
          </Card>
        ) : null}
      </div>
    </>
  );
}
