import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { packages, type Cabinet } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { loadCabinet } from '@/lib/cabinets/load-cabinet';
import { packageManifestSchema, type PackageManifest } from '@/lib/contract/package-manifest';
import { AppError, parseInput } from '@/lib/errors';

export interface PreparedRegistration {
  actor: Actor;
  cabinet: Cabinet;
  manifest: PackageManifest;
}

export interface PrepareRegistrationOptions {
  actor: Actor | null;
  cabinetName: string;
  manifest: unknown;
  /** What to call the manifest in errors about it as a whole: `manifest` in an upload, `body` in /check. */
  manifestField?: string;
  now?: Date;
}

/**
 * Everything that can refuse a package before its content is read: the caller's role, the
 * cabinet, the manifest, an expiry in the past, and an identity that is already taken. The
 * upload calls it when the manifest arrives; depot-pack and the upload page call it first
 * (/check) so a mistake is reported before a gigabyte is sent.
 */
export async function prepareRegistration(db: Db, { actor, cabinetName, manifest, manifestField = 'manifest', now = new Date() }: PrepareRegistrationOptions): Promise<PreparedRegistration> {
  const deployer = requirePermission(actor, 'deploy.manage');
  const cabinet = await loadCabinet(db, cabinetName);
  const parsed = parseInput(packageManifestSchema, manifest, manifestField);
  if (parsed.expiresAt && new Date(parsed.expiresAt) <= now) {
    throw new AppError('invalid_input', { field: 'expiresAt', message: 'expiresAt: expected a date in the future (an expired package cannot be used by any job)' });
  }
  if (parsed.generation !== undefined) await assertIdentityFree(db, cabinet, parsed.packageId, parsed.version, parsed.generation);
  return { actor: deployer, cabinet, manifest: parsed };
}

export async function assertIdentityFree(db: Db, cabinet: Cabinet, packageId: string, version: string, generation: number): Promise<void> {
  const [existing] = await db
    .select({ id: packages.id })
    .from(packages)
    .where(and(eq(packages.cabinetId, cabinet.id), eq(packages.packageId, packageId), eq(packages.version, version), eq(packages.generation, generation)))
    .limit(1);
  if (existing) throw duplicateError(cabinet.name, packageId, version, generation, existing.id);
}

export function duplicateError(cabinet: string, packageId: string, version: string, generation: number, existingId?: string): AppError {
  return new AppError('conflict', {
    field: 'generation',
    message:
      `generation: ${cabinet}/${packageId} ${version} generation ${generation} already exists` +
      `${existingId ? ` (package ${existingId})` : ''}; packages never change: register generation ${generation + 1} or omit it to get the next one`,
  });
}
