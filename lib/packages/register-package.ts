import { and, eq, max, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { cabinets, contentBlobs, packages, type Package } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { lockContent, removeUnreferencedContent } from '@/lib/content/release-content';
import type { ContentStore, TempContent } from '@/lib/content/store';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError } from '@/lib/errors';
import { duplicateError, type PreparedRegistration } from './prepare-registration';
import { packageLabel, toPublicPackage, type PublicPackage } from './public-package';

export interface RegisterPackageOptions {
  prepared: PreparedRegistration;
  content: TempContent;
  /** The SHA-256 the client declared, if any: a mismatch refuses the package. */
  declaredSha256?: string;
  fileName: string;
  store: ContentStore;
}

/**
 * Records a package whose content has been streamed to a temp file. One transaction puts the
 * content in place (once per distinct content), picks the next free generation when none was
 * given, and writes the package and its audit row; on any failure the temp file is removed and
 * no package or orphan content remains.
 */
export async function registerPackage(db: Db, options: RegisterPackageOptions): Promise<PublicPackage> {
  const { prepared, content, store } = options;
  const { actor, cabinet, manifest } = prepared;
  if (options.declaredSha256 && options.declaredSha256 !== content.sha256) {
    await store.discard(content);
    throw new AppError('invalid_input', {
      field: 'sha256',
      message: `sha256: the content received hashes to ${content.sha256}, not the declared ${options.declaredSha256}; nothing was stored`,
    });
  }
  if (content.size === 0) {
    await store.discard(content);
    throw new AppError('invalid_input', { field: 'file', message: 'file: expected a non-empty file' });
  }
  let generation = manifest.generation;
  try {
    const row = await db.transaction(async (tx) => {
      // One lock order everywhere (cabinet, package identity, content) so that uploads, deletes
      // and cabinet deletions wait for each other instead of deadlocking or failing a foreign key:
      // the cabinet must still exist, two uploads of the same package ID and version number their
      // generations one after the other, and content cannot be released while it is put in place.
      const [live] = await tx.select({ id: cabinets.id }).from(cabinets).where(eq(cabinets.id, cabinet.id)).for('key share');
      if (!live) throw new AppError('not_found', { field: 'cabinet', message: `cabinet: "${cabinet.name}" was deleted during the upload; nothing was stored` });
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`depot-identity:${cabinet.id}/${manifest.packageId}/${manifest.version}`}, 0))`);
      await lockContent(tx, content.sha256);
      await tx.insert(contentBlobs).values({ sha256: content.sha256, size: content.size }).onConflictDoNothing();
      await store.commit(content);
      generation = manifest.generation ?? (await nextGeneration(tx, cabinet.id, manifest.packageId, manifest.version));
      const stored = { ...manifest, generation };
      const [pkg] = await tx
        .insert(packages)
        .values({
          cabinetId: cabinet.id,
          packageId: manifest.packageId,
          version: manifest.version,
          generation,
          displayName: manifest.displayName,
          installerKind: manifest.installer.kind,
          manifest: stored,
          contentSha256: content.sha256,
          size: content.size,
          fileName: options.fileName,
          description: manifest.description,
          category: manifest.category,
          selfService: manifest.selfService,
          expiresAt: manifest.expiresAt ? new Date(manifest.expiresAt) : null,
          createdBy: actor.id,
        })
        .returning();
      await writeAudit(tx, {
        actor,
        action: 'package.register',
        targetType: 'package',
        targetId: pkg.id,
        targetLabel: `${cabinet.name}/${packageLabel(pkg)}`,
        after: { cabinet: cabinet.name, packageId: pkg.packageId, version: pkg.version, generation, sha256: pkg.contentSha256, size: pkg.size },
      });
      return pkg;
    });
    return toPublicPackage(row, cabinet.name);
  } catch (error) {
    await store.discard(content);
    // The content row rolled back with the package; drop the file if nothing else uses it.
    await removeUnreferencedContent(db, store, [content.sha256]);
    if (isUniqueViolation(error, 'packages_identity_idx')) {
      throw duplicateError(cabinet.name, manifest.packageId, manifest.version, generation ?? 0);
    }
    throw error;
  }
}

async function nextGeneration(tx: Db, cabinetId: string, packageId: string, version: string): Promise<Package['generation']> {
  const [row] = await tx
    .select({ highest: max(packages.generation) })
    .from(packages)
    .where(and(eq(packages.cabinetId, cabinetId), eq(packages.packageId, packageId), eq(packages.version, version)));
  return (row?.highest ?? 0) + 1;
}
