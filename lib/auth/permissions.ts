import type { Role } from '@/db/schema';
import { AppError } from '@/lib/errors';

export const ROLES = ['admin', 'deployer', 'auditor', 'user'] as const satisfies readonly Role[];

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Admin',
  deployer: 'Deployer',
  auditor: 'Auditor',
  user: 'User',
};

export const ROLE_DESCRIPTION: Record<Role, string> = {
  admin: 'Everything, including users, roles, enrolment secrets, relays and API tokens',
  deployer: 'Cabinets, packages, jobs, machines and groups; not users or secrets',
  auditor: 'Reads every admin page and the audit log; changes nothing',
  user: 'The portal: their own machines, selections, windows and history',
};

/** Who may do what (DESIGN.md, Roles). Every operation checks one of these itself. */
export const PERMISSIONS = {
  'admin.view': ['admin', 'deployer', 'auditor'],
  'users.view': ['admin', 'auditor'],
  'users.manage': ['admin'],
  'audit.view': ['admin', 'auditor'],
  'relays.manage': ['admin'],
  'tokens.manage': ['admin'],
  'secrets.manage': ['admin'],
  'deploy.manage': ['admin', 'deployer'],
  'portal.use': ['admin', 'deployer', 'auditor', 'user'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export interface Actor {
  /** The user's id; for an API token, the id of the admin who created it. */
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Set when the request came with an API token instead of a session. */
  token?: { id: string; name: string };
}

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Throws `unauthorized` with no actor and `forbidden` when the actor's role lacks the permission. */
export function requirePermission(actor: Actor | null | undefined, permission: Permission): Actor {
  if (!actor) throw new AppError('unauthorized');
  if (!can(actor.role, permission)) throw new AppError('forbidden');
  return actor;
}
