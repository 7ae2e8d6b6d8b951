import type { Permission } from '@/lib/auth/permissions';

export interface NavItem {
  href: string;
  label: string;
  icon: string;
  permission: Permission;
}

export const ADMIN_NAV: NavItem[] = [
  { href: '/dashboard', label: 'Dashboard', icon: '◧', permission: 'admin.view' },
  { href: '/cabinets', label: 'Cabinets', icon: '🗄', permission: 'admin.view' },
  { href: '/packages', label: 'Packages', icon: '📦', permission: 'admin.view' },
  { href: '/jobs', label: 'Jobs', icon: '🚀', permission: 'admin.view' },
  { href: '/machines', label: 'Machines', icon: '🖥', permission: 'admin.view' },
  { href: '/groups', label: 'Groups', icon: '👥', permission: 'admin.view' },
  { href: '/relays', label: 'Relays', icon: '📡', permission: 'admin.view' },
  { href: '/users', label: 'Users', icon: '👤', permission: 'users.view' },
  { href: '/audit', label: 'Audit log', icon: '📜', permission: 'audit.view' },
];

export const PORTAL_NAV: NavItem[] = [
  { href: '/portal', label: 'My machines', icon: '🖥', permission: 'portal.use' },
  { href: '/portal/catalog', label: 'Catalog', icon: '🛍', permission: 'portal.use' },
  { href: '/portal/windows', label: 'Installation windows', icon: '🕑', permission: 'portal.use' },
  { href: '/portal/history', label: 'History', icon: '🧾', permission: 'portal.use' },
];
