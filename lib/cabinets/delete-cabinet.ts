import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { cabinets, packages } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { removeUnreferencedContent } from '@/lib/content/release-content';
import type { ContentStore } from '@/lib/content/store';
import { AppError } from '@/lib/errors';
import { deletePackageRows } from '@/lib/packages/delete-packages';
import { packageLabel } from '@/lib/packages/public-package';
import { loadCabinet } from './load-cabinet';

export interface DeleteCabinetOptions {
  actor: Actor | null;
  name: string;
  /** Must repeat the cabinet's name when it still holds packages: they are deleted with it. */
  confirm?: string;
  store: ContentStore;
}

export async function deleteCabinet(db: Db, { actor, name, confirm, store }: DeleteCabinetOptions): Promise<{ deletedPackages: number }> {
  const deployer = requirePermission(actor, 'deploy.manage');
  const released = await db.transaction(async (tx) => {
    const cabinet = await loadCabinet(tx, name, { forUpdate: true });
    const rows = await tx.select().from(packages).where(eq(packages.cabinetId, cabinet.id)).for('update');
    if (rows.length > 0 && confirm !== cabinet.name) {
      const listed = rows.slice(0, 10).map(packageLabel).join(', ');
      throw new AppError('conflict', {
        field: 'confirm',
        message:
          `confirm: cabinet "${cabinet.name}" holds ${rows.length} package${rows.length === 1 ? '' : 's'} ` +
          `(${listed}${rows.length > 10 ? ', …' : ''}) that will be deleted with it; repeat its name to confirm`,
      });
    }
    const shas = await deletePackageRows(tx, deployer, rows, cabinet.name);
    await tx.delete(cabinets).where(eq(cabinets.id, cabinet.id));
    await writeAudit(tx, {
      actor: deployer,
      action: 'cabinet.delete',
      targetType: 'cabinet',
      targetId: cabinet.id,
      targetLabel: cabinet.name,
      before: { name: cabinet.name, description: cabinet.description, packages: rows.length },
    });
    return { shas, count: rows.length };
  });
  await removeUnreferencedContent(db, store, released.shas);
  return { deletedPackages: released.count };
}
