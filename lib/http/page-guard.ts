import 'server-only';
import { cookies, headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { can, type Actor, type Permission } from '@/lib/auth/permissions';
import { getActor } from './session';

/**
 * Every page and layout calls this itself (proxy.ts is a convenience, not a boundary):
 * no session → the sign-in page, coming back here afterwards; a role without the permission →
 * a real 403 page.
 */
export async function requirePageActor(permission: Permission): Promise<Actor> {
  const actor = await getActor();
  if (!actor) {
    const path = (await headers()).get('x-depot-path') ?? '/';
    // A session cookie that no longer resolves (disabled user, ended session) says so on the form.
    const ended = (await cookies()).getAll().some((c) => c.name.includes('next-auth.session-token'));
    redirect(`/signin?callbackUrl=${encodeURIComponent(path)}${ended ? '&reason=ended' : ''}`);
  }
  if (!can(actor.role, permission)) forbidden();
  return actor;
}
