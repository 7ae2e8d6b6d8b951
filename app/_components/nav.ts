import type { Permission } from '@/lib/auth/permissions';
import type { IconName } from './icons';

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  permission: Permission;
}

export const ADMIN_NAV: NavItem[] = [
  { href: '/dashboard', label: 'Dashboard', icon: 'dashboard', permission: 'admin.view' },
  { href: '/cabinets', label: 'Cabinets', icon: 'cabinet', permission: 'admin.view' },
  { href: '/packages', label: 'Packages', icon: 'package', permission: 'admin.view' },
  { href: '/jobs', label: 'Jobs', icon: 'job', permission: 'admin.view' },
  { href: '/machines', label: 'Machines', icon: 'machine', permission: 'admin.view' },
  { href: '/groups', label: 'Groups', icon: 'group', permission: 'admin.view' },
  { href: '/relays', label: 'Relays', icon: 'relay', permission: 'admin.view' },
  { href: '/users', label: 'Users', icon: 'user', permission: 'users.view' },
  { href: '/tokens', label: 'API tokens', icon: 'key', permission: 'tokens.manage' },
  { href: '/audit', label: 'Audit log', icon: 'audit', permission: 'audit.view' },
];

export const PORTAL_NAV: NavItem[] = [
  { href: '/portal', label: 'My machines', icon: 'machine', permission: 'portal.use' },
  { href: '/portal/catalog', label: 'Catalog', icon: 'catalog', permission: 'portal.use' },
  { href: '/portal/windows', label: 'Installation windows', icon: 'clock', permission: 'portal.use' },
  { href: '/portal/history', label: 'History', icon: 'history', permission: 'portal.use' },
  { href: '/portal/calendar', label: 'Calendar feed', icon: 'calendar', permission: 'portal.use' },
];
