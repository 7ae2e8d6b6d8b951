import type { User } from '@/db/schema';

/** What leaves the server about a user: never the password hash or the session version. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: User['role'];
  disabled: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** The audit row's view of a user: what an admin can change, nothing secret. */
export function auditView(user: Pick<User, 'email' | 'name' | 'role' | 'disabled'>): Record<string, unknown> {
  return { email: user.email, name: user.name, role: user.role, disabled: user.disabled };
}
