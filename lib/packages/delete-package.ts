import type { Db } from '@/db/client';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { removeUnreferencedContent } from '@/lib/content/release-content';
import type { ContentStore } from '@/lib/content/store';
import { deletePackageRows } from './delete-packages';
import { loadPackage } from './load-package';

export interface DeletePackageOptions {
  actor: Actor | null;
  id: string;
  store: ContentStore;
}

/** Deletes one package; its content goes too when no other package uses the same bytes. */
export async function deletePackage(db: Db, { actor, id, store }: DeletePackageOptions): Promise<void> {
  const deployer = requirePermission(actor, 'deploy.manage');
  const released = await db.transaction(async (tx) => {
    const { pkg, cabinetName } = await loadPackage(tx, id, { forUpdate: true });
    return deletePackageRows(tx, deployer, [pkg], cabinetName);
  });
  await removeUnreferencedContent(db, store, released);
}
