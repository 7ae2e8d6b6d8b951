import { redirect } from 'next/navigation';
import { can } from '@/lib/auth/permissions';
import { getActor } from '@/lib/http/session';

// The front door: admins, deployers and auditors land on the dashboard, end users in the portal.
export default async function Home() {
  const actor = await getActor();
  if (!actor) redirect('/signin');
  redirect(can(actor.role, 'admin.view') ? '/dashboard' : '/portal');
}
