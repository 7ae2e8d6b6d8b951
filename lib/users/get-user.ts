import type { Db } from '@/db/client';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { loadUser } from './find-user';
import { toPublicUser, type PublicUser } from './public-user';

export interface GetUserOptions {
  actor: Actor | null;
  userId: string;
}

export async function getUser(db: Db, { actor, userId }: GetUserOptions): Promise<PublicUser> {
  requirePermission(actor, 'users.view');
  return toPublicUser(await loadUser(db, userId));
}
