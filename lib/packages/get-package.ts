import type { Db } from '@/db/client';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { loadPackage } from './load-package';
import { toPublicPackage, type PublicPackage } from './public-package';

export async function getPackage(db: Db, { actor, id }: { actor: Actor | null; id: string }): Promise<PublicPackage> {
  requirePermission(actor, 'admin.view');
  const { pkg, cabinetName } = await loadPackage(db, id);
  return toPublicPackage(pkg, cabinetName);
}
