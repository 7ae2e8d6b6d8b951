import fs from 'node:fs';
import { packageManifestSchema, type PackageManifestInput } from '../../lib/contract/package-manifest';

export interface ManifestOptions {
  manifest?: string;
  id?: string;
  version?: string;
  generation?: string;
  installer?: string;
  name?: string;
  description?: string;
  publisher?: string;
  category?: string;
  installArg?: string[];
  uninstallArg?: string[];
  selfService?: boolean;
  expires?: string;
}

export class UsageError extends Error {}

/** The manifest from `--manifest depot.json` with any flags laid over it, checked locally first. */
export function manifestFromOptions(options: ManifestOptions, fileName: string): PackageManifestInput {
  let base: Record<string, unknown> = {};
  if (options.manifest) {
    let text: string;
    try {
      text = fs.readFileSync(options.manifest, 'utf8');
    } catch (error) {
      throw new UsageError(`--manifest: cannot read ${options.manifest} (${(error as NodeJS.ErrnoException).code})`);
    }
    try {
      base = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new UsageError(`--manifest: ${options.manifest} is not valid JSON`);
    }
  }
  const installer = { ...((base.installer as Record<string, unknown> | undefined) ?? {}) };
  if (options.installer) installer.kind = options.installer;
  if (options.installArg?.length) installer.install = options.installArg;
  if (options.uninstallArg?.length) installer.uninstall = options.uninstallArg;
  const merged: Record<string, unknown> = {
    ...base,
    ...(options.id !== undefined && { packageId: options.id }),
    ...(options.version !== undefined && { version: options.version }),
    ...(options.generation !== undefined && { generation: Number(options.generation) }),
    ...(options.description !== undefined && { description: options.description }),
    ...(options.publisher !== undefined && { publisher: options.publisher }),
    ...(options.category !== undefined && { category: options.category }),
    ...(options.selfService !== undefined && { selfService: options.selfService }),
    ...(options.expires !== undefined && { expiresAt: options.expires }),
    installer,
  };
  merged.displayName ??= options.name ?? merged.packageId ?? fileName;
  if (options.name !== undefined) merged.displayName = options.name;
  const result = packageManifestSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.') || 'manifest';
    throw new UsageError(`${field}: ${issue.message}${FLAG_HINT[field] ? ` (${FLAG_HINT[field]})` : ''}`);
  }
  return merged as PackageManifestInput;
}

const FLAG_HINT: Record<string, string> = {
  packageId: 'set it with --id',
  version: 'set it with --version',
  'installer.kind': 'set it with --installer',
  'installer.install': 'give each argument with --install-arg',
  generation: 'set it with --generation, or leave it out for the next free one',
};
