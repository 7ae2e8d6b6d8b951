import type { z } from 'zod';
import type { conditionsSchema } from './package-manifest';

export type Conditions = z.output<typeof conditionsSchema>;

/** The facts the hardware conditions need: the agent reads them live, the server from inventory. */
export interface HardwareFacts {
  platform: string;
  arch: string;
  totalMemoryBytes: number;
  /** Free bytes on the filesystem holding `path`. */
  freeDiskBytes(path: string): number;
}

// Node (process.platform, process.arch) and systeminformation (inventory) name platforms and
// architectures their own way; conditions use the manifest's names.
const PLATFORMS: Record<string, string> = { linux: 'linux', win32: 'windows', windows: 'windows', darwin: 'macos', macos: 'macos' };
const ARCHITECTURES: Record<string, string> = { x64: 'x64', x86_64: 'x64', amd64: 'x64', arm64: 'arm64', aarch64: 'arm64', ia32: 'x86', x86: 'x86', i386: 'x86', i686: 'x86', arm: 'arm' };

/** "win32" or "Windows" → "windows", as the manifest's platforms say it. */
export function platformName(raw: string): string {
  return PLATFORMS[raw.toLowerCase()] ?? raw.toLowerCase();
}

/** "ia32" or "i686" → "x86", "x86_64" → "x64", as the manifest's architectures say it. */
export function architectureName(raw: string): string {
  return ARCHITECTURES[raw.toLowerCase()] ?? raw;
}

const MiB = 1024 * 1024;
export const formatMiB = (bytes: number) => (bytes >= 1024 * MiB ? `${(bytes / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`);

/**
 * Null when the machine meets the platform, architecture, memory and disk conditions, else why
 * not ("needs 4.0 GiB free on /, has 1.1 GiB"). The same words on the machine and in a job's
 * preview. Software rules (requires, conflicts) need the machine itself and are the agent's.
 */
export function unmetHardwareCondition(c: Conditions, facts: HardwareFacts): string | null {
  if (c.platforms && !c.platforms.includes(facts.platform as never)) return `needs ${c.platforms.join(' or ')}, this machine runs ${facts.platform}`;
  if (c.architectures && !c.architectures.includes(facts.arch as never)) return `needs ${c.architectures.join(' or ')}, this machine is ${facts.arch}`;
  if (c.minMemoryMiB && facts.totalMemoryBytes < c.minMemoryMiB * MiB) return `needs ${formatMiB(c.minMemoryMiB * MiB)} of memory, has ${formatMiB(facts.totalMemoryBytes)}`;
  if (c.minFreeDisk) {
    const free = facts.freeDiskBytes(c.minFreeDisk.path);
    if (free < c.minFreeDisk.mib * MiB) return `needs ${formatMiB(c.minFreeDisk.mib * MiB)} free on ${c.minFreeDisk.path}, has ${formatMiB(free)}`;
  }
  return null;
}
