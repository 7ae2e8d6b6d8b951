/** The upload form's values as a manifest for lib/contract's schema (checked by the server). */
export interface UploadValues {
  packageId: string;
  displayName: string;
  version: string;
  generation: string;
  kind: string;
  install: string;
  uninstall: string;
  successExitCodes: string;
  timeoutSeconds: string;
  reboot: string;
  extractTo: string;
  description: string;
  publisher: string;
  category: string;
  selfService: boolean;
  expiresAt: string;
  platforms: string[];
  architectures: string[];
  diskPath: string;
  diskMiB: string;
  memoryMiB: string;
  requires: string;
  conflicts: string;
  detectionKind: string;
  detectionName: string;
  detectionVersions: string;
  detectionPath: string;
  detectionArgv: string;
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
const rules = (s: string) =>
  lines(s).map((l) => {
    const [name, ...range] = l.split(/\s+/);
    return range.length ? { name, versions: range.join(' ') } : { name };
  });

export function buildManifest(v: UploadValues): Record<string, unknown> {
  const conditions: Record<string, unknown> = {};
  if (v.platforms.length) conditions.platforms = v.platforms;
  if (v.architectures.length) conditions.architectures = v.architectures;
  if (v.diskPath.trim() || v.diskMiB.trim()) conditions.minFreeDisk = { path: v.diskPath.trim(), mib: num(v.diskMiB) };
  if (v.memoryMiB.trim()) conditions.minMemoryMiB = num(v.memoryMiB);
  if (v.requires.trim()) conditions.requires = rules(v.requires);
  if (v.conflicts.trim()) conditions.conflicts = rules(v.conflicts);
  const detection: Record<string, unknown> = { kind: v.detectionKind };
  if (v.detectionKind === 'package') Object.assign(detection, { name: v.detectionName.trim(), ...(v.detectionVersions.trim() ? { versions: v.detectionVersions.trim() } : {}) });
  if (v.detectionKind === 'file') detection.path = v.detectionPath.trim();
  if (v.detectionKind === 'command') detection.argv = lines(v.detectionArgv);
  return {
    packageId: v.packageId.trim(),
    displayName: v.displayName.trim() || v.packageId.trim(),
    version: v.version.trim(),
    ...(v.generation.trim() ? { generation: num(v.generation) } : {}),
    description: v.description,
    publisher: v.publisher.trim(),
    category: v.category.trim(),
    installer: {
      kind: v.kind,
      ...(v.install.trim() ? { install: lines(v.install) } : {}),
      ...(v.uninstall.trim() ? { uninstall: lines(v.uninstall) } : {}),
      ...(v.successExitCodes.trim() ? { successExitCodes: v.successExitCodes.split(/[\s,]+/).filter(Boolean).map(Number) } : {}),
      ...(v.timeoutSeconds.trim() ? { timeoutSeconds: num(v.timeoutSeconds) } : {}),
      reboot: v.reboot,
      ...(v.extractTo.trim() ? { extractTo: v.extractTo.trim() } : {}),
    },
    conditions,
    detection,
    selfService: v.selfService,
    ...(v.expiresAt ? { expiresAt: new Date(v.expiresAt).toISOString() } : {}),
  };
}
