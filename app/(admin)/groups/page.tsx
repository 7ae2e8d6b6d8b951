import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { describeWindow } from '@/lib/contract/installation-window';
import { listGroups } from '@/lib/groups/list-groups';
import { requirePageActor } from '@/lib/http/page-guard';
import { Card, EmptyState, PageHeader, Table, Td } from '@/app/_components/ui';
import { CreateGroupForm } from './group-forms';

export const metadata: Metadata = { title: 'Groups' };

export default async function GroupsPage() {
  const actor = await requirePageActor('admin.view');
  const groups = await listGroups(getDb(), { actor });
  return (
    <>
      <PageHeader title="Groups" description="Static groups of machines: one job reaches every member, including machines that join later, and members without windows of their own use the group’s." />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {groups.length === 0 ? (
            <EmptyState icon="group" title="No groups yet">
              Create a group, add machines to it, then send jobs to the group.
            </EmptyState>
          ) : (
            <Table head={['Group', 'Machines', 'Default windows']} caption="Groups">
              {groups.map((g) => (
                <tr key={g.id} data-testid={`group-row-${g.name}`}>
                  <Td>
                    <Link href={`/groups/${g.id}`} className="font-medium text-brand-700 hover:underline">
                      {g.name}
                    </Link>
                    <div className="text-xs text-slate-500">{g.description}</div>
                  </Td>
                  <Td className="text-slate-600">{g.members}</Td>
                  <Td className="text-xs text-slate-600">{g.windows?.length ? g.windows.map(describeWindow).join(' · ') : 'none (any time)'}</Td>
                </tr>
              ))}
            </Table>
          )}
        </div>
        {can(actor.role, 'deploy.manage') ? (
          <Card title="New group">
            <CreateGroupForm />
          </Card>
        ) : null}
      </div>
    </>
  );
}
