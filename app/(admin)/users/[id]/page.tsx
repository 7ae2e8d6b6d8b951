import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can, ROLE_DESCRIPTION, ROLE_LABEL, ROLES } from '@/lib/auth/permissions';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { getUser } from '@/lib/users/get-user';
import { Card, PageHeader, formatDateTime } from '@/app/_components/ui';
import { RoleBadge, StatusBadge } from '../user-badges';
import { ManageUserForms } from './manage-user-forms';

export const metadata: Metadata = { title: 'User' };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('users.view');
  const { id } = await params;
  const user = await loadOr404(() => getUser(getDb(), { actor, userId: id }));
  return (
    <>
      <Link href="/users" className="mb-3 inline-block text-sm text-brand-700 hover:underline">← All users</Link>
      <PageHeader title={user.name} description={user.email} actions={<><RoleBadge role={user.role} /> <StatusBadge disabled={user.disabled} /></>} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Account">
          <dl className="space-y-3 text-sm">
            <div><dt className="text-slate-500">Role</dt><dd>{ROLE_LABEL[user.role]}: {ROLE_DESCRIPTION[user.role]}</dd></div>
            <div><dt className="text-slate-500">Created</dt><dd>{formatDateTime(user.createdAt)}</dd></div>
            <div><dt className="text-slate-500">Last sign-in</dt><dd>{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : 'Never'}</dd></div>
          </dl>
        </Card>
        <div className="lg:col-span-2">
          {can(actor.role, 'users.manage') ? (
            <ManageUserForms
              user={{ id: user.id, email: user.email, role: user.role, disabled: user.disabled }}
              isSelf={user.id === actor.id}
              roles={ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
            />
          ) : (
            <Card title="Read only"><p className="text-sm text-slate-600">Only admins can change users.</p></Card>
          )}
        </div>
      </div>
    </>
  );
}
