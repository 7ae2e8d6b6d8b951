import type { ReactNode } from 'react';
import { ADMIN_NAV } from '@/app/_components/nav';
import { Shell } from '@/app/_components/shell';
import { requirePageActor } from '@/lib/http/page-guard';

// End users get a 403 page here, never an admin page; each page checks its own permission too.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor('admin.view');
  return (
    <Shell actor={actor} area="Admin" nav={ADMIN_NAV} switchTo={{ href: '/portal', label: 'My machines (portal)' }}>
      {children}
    </Shell>
  );
}
