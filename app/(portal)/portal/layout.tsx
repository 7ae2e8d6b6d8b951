import type { ReactNode } from 'react';
import { PORTAL_NAV } from '@/app/_components/nav';
import { Shell } from '@/app/_components/shell';
import { can } from '@/lib/auth/permissions';
import { requirePageActor } from '@/lib/http/page-guard';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor('portal.use');
  const switchTo = can(actor.role, 'admin.view') ? { href: '/dashboard', label: 'Admin area' } : undefined;
  return (
    <Shell actor={actor} area="Portal" nav={PORTAL_NAV} switchTo={switchTo}>
      {children}
    </Shell>
  );
}
