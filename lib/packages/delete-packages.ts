import { inArray, notExists, and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { contentBlobs, packages, type Package } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Actor } from '@/lib/auth/permissions';
import { lockContent } from '@/lib/content/release-content';
import { orderReleasedContentDeletion } from '@/lib/relays/order-released-content-deletion';
import { packageLabel } from './public-package';
import { requireNoUnfinishedJobs } from './require-no-unfinished-jobs';

/**
 * Deletes package rows inside the caller's transaction, which has locked them FOR UPDATE (refused
 * while a job using one of them has unfinished assignments), with an audit row each, and, under the
 * content locks an upload of the same bytes also takes, the content rows no package references
 * any more, and a delete order for each relay that holds one of those (orderReleasedContentDeletion).
 * Returns those contents' SHA-256s: the caller removes their files after commit
 * (removeUnreferencedContent).
 */
export async function deletePackageRows(tx: Db, actor: Actor, rows: Package[], cabinetName: string): Promise<string[]> {
  if (rows.length === 0) return [];
  await requireNoUnfinishedJobs(tx, rows, cabinetName);
  // Their jobs keep their history and package label; the foreign key sets their package_id to null.
  await tx.delete(packages).where(
    inArray(
      packages.id,
      rows.map((r) => r.id),
    ),
  );
  for (const row of rows) {
    await writeAudit(tx, {
      actor,
      action: 'package.delete',
      targetType: 'package',
      targetId: row.id,
      targetLabel: `${cabinetName}/${packageLabel(row)}`,
      before: { cabinet: cabinetName, packageId: row.packageId, version: row.version, generation: row.generation, sha256: row.contentSha256, size: row.size },
    });
  }
  // Sorted, so two deletions sharing content take its locks in the same order.
  const shas = [...new Set(rows.map((r) => r.contentSha256))].sort();
  for (const sha256 of shas) await lockContent(tx, sha256);
  const released = await tx
    .delete(contentBlobs)
    .where(
      and(
        inArray(contentBlobs.sha256, shas),
        notExists(tx.select({ one: packages.id }).from(packages).where(eq(packages.contentSha256, contentBlobs.sha256))),
      ),
    )
    .returning({ sha256: contentBlobs.sha256 });
  // Content another package still has stays on the relays: only released content is ordered off them.
  const bySha = new Map(rows.map((r) => [r.contentSha256, r]));
  await orderReleasedContentDeletion(tx, { actor, released: released.map(({ sha256 }) => ({ sha256, label: packageLabel(bySha.get(sha256)!) })) });
  return released.map((r) => r.sha256);
}
