import type { Package } from '@/db/schema';
import type { PackageManifest } from '@/lib/contract/package-manifest';

export interface PublicPackage {
  id: string;
  cabinet: string;
  packageId: string;
  version: string;
  generation: number;
  displayName: string;
  installerKind: Package['installerKind'];
  description: string;
  category: string;
  publisher: string;
  selfService: boolean;
  expiresAt: string | null;
  sha256: string;
  size: number;
  fileName: string;
  manifest: PackageManifest;
  createdAt: string;
}

export function toPublicPackage(pkg: Package, cabinetName: string): PublicPackage {
  return {
    id: pkg.id,
    cabinet: cabinetName,
    packageId: pkg.packageId,
    version: pkg.version,
    generation: pkg.generation,
    displayName: pkg.displayName,
    installerKind: pkg.installerKind,
    description: pkg.description,
    category: pkg.category,
    publisher: pkg.manifest.publisher,
    selfService: pkg.selfService,
    expiresAt: pkg.expiresAt?.toISOString() ?? null,
    sha256: pkg.contentSha256,
    size: pkg.size,
    fileName: pkg.fileName,
    // The manifest as registered, with the editable fields as they are now.
    manifest: { ...pkg.manifest, description: pkg.description, category: pkg.category, selfService: pkg.selfService },
    createdAt: pkg.createdAt.toISOString(),
  };
}

/** "firefox-esr 128.5.0esr (generation 2)" */
export function packageLabel(pkg: Pick<Package, 'packageId' | 'version' | 'generation'>): string {
  return `${pkg.packageId} ${pkg.version} (generation ${pkg.generation})`;
}
