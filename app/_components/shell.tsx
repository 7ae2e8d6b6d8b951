import Link from 'next/link';
import type { ReactNode } from 'react';
import { can, ROLE_LABEL, type Actor } from '@/lib/auth/permissions';
import { Icon } from './icons';
import { NavLinks } from './nav-links';
import type { NavItem } from './nav';

/** The frame of the admin area and the portal: brand, navigation allowed for the role, the user. */
export function Shell({ actor, area, nav, switchTo, children }: { actor: Actor; area: string; nav: NavItem[]; switchTo?: { href: string; label: string }; children: ReactNode }) {
  const items = nav.filter((item) => can(actor.role, item.permission)).map(({ href, label, icon }) => ({ href, label, icon }));
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:flex">
        <Link href="/" className="flex items-center gap-2 px-5 py-5">
          <span aria-hidden className="flex h-8 w-8 items-center justify-center rounded-lg bg-brand-600 text-sm font-bold text-white">D</span>
          <span className="text-lg font-semibold tracking-tight">Depot</span>
          <span className="ml-auto rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-slate-500">{area}</span>
        </Link>
        <nav aria-label={`${area} navigation`} className="flex-1 px-3">
          <NavLinks items={items} />
        </nav>
        {switchTo ? (
          <Link href={switchTo.href} className="mx-3 mb-3 rounded-lg px-3 py-2 text-sm text-slate-600 hover:bg-slate-100">
            <span className="flex items-center gap-2"><Icon name="swap" className="h-4 w-4" /> {switchTo.label}</span>
          </Link>
        ) : null}
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <div className="text-right text-sm">
            <div className="font-medium text-slate-900" data-testid="current-user">{actor.name}</div>
            <div className="text-xs text-slate-500">
              {actor.email} · {ROLE_LABEL[actor.role]}
            </div>
          </div>
          <Link href="/signout" className="rounded-lg px-3 py-1.5 text-sm text-slate-600 ring-1 ring-slate-200 hover:bg-slate-50">
            Sign out
          </Link>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">{children}</main>
      </div>
    </div>
  );
}
