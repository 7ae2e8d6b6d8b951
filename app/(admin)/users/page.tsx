import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can, ROLE_DESCRIPTION, ROLE_LABEL, ROLES } from '@/lib/auth/permissions';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { listUsers } from '@/lib/users/list-users';
import { Badge, Card, EmptyState, PageHeader, Table, Td, buttonClass, formatDateTime, inputClass } from '@/app/_components/ui';
import { Pager, pageHref } from '@/app/_components/list-controls';
import { CreateUserForm } from './create-user-form';
import { RoleBadge, StatusBadge } from './user-badges';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('users.view');
  const params = await searchParams;
  const result = await withDefaultsOnBadQuery(
    () => listUsers(getDb(), { actor, query: { q: params.q, role: params.role || undefined, page: params.page } }),
    () => listUsers(getDb(), { actor }),
  );
  const manage = can(actor.role, 'users.manage');
  return (
    <>
      <PageHeader title="Users" description="People who sign in to Depot, and what their role lets them do." actions={<Badge>{result.total} users</Badge>} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <form className="flex flex-wrap gap-2" role="search">
            <label htmlFor="users-q" className="sr-only">Search users</label>
            <input id="users-q" name="q" defaultValue={params.q ?? ''} placeholder="Search by name or email" className={`${inputClass} max-w-xs`} />
            <label htmlFor="users-role" className="sr-only">Role</label>
            <select id="users-role" name="role" defaultValue={params.role ?? ''} className={`${inputClass} max-w-[10rem]`}>
              <option value="">All roles</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>{ROLE_LABEL[r]}</option>
              ))}
            </select>
            <button className={buttonClass('secondary')}>Filter</button>
          </form>
          {result.users.length === 0 ? (
            <EmptyState icon="user" title="No users match">Try another search, or clear the role filter.</EmptyState>
          ) : (
            <Table head={['User', 'Role', 'Status', 'Last sign-in', '']} caption="Users">
              {result.users.map((u) => (
                <tr key={u.id} data-testid={`user-row-${u.email}`}>
                  <Td>
                    <div className="font-medium text-slate-900">{u.name}</div>
                    <div className="text-xs text-slate-500">{u.email}</div>
                  </Td>
                  <Td><RoleBadge role={u.role} /></Td>
                  <Td><StatusBadge disabled={u.disabled} /></Td>
                  <Td className="text-slate-600">{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : 'Never'}</Td>
                  <Td className="text-right">
                    <Link href={`/users/${u.id}`} className="font-medium text-brand-700 hover:underline" aria-label={`Manage ${u.email}`}>
                      {manage ? 'Manage' : 'View'}
                    </Link>
                  </Td>
                </tr>
              ))}
            </Table>
          )}
          <Pager page={result.page} total={result.total} pageSize={result.pageSize} href={(page) => pageHref('/users', params, page)} />
        </div>
        {manage ? (
          <Card title="New user">
            <CreateUserForm roles={ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r], description: ROLE_DESCRIPTION[r] }))} />
          </Card>
        ) : (
          <Card title="Read only">
            <p className="text-sm text-slate-600">Auditors can see users but not change them.</p>
          </Card>
        )}
      </div>
    </>
  );
}
