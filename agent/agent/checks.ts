import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { z } from 'zod';
import { architectureName, platformName, unmetHardwareCondition, type Conditions } from '../../lib/contract/conditions';
import type { detectionSchema } from '../../lib/contract/package-manifest';
import { satisfiesRange } from '../../lib/contract/version-range';
import type { ProcessRunner } from './process-runner';

export type { Conditions };
export type Detection = z.output<typeof detectionSchema>;

/** What the checks ask of the machine; injected so tests can describe any machine. */
export interface MachineProbe {
  platform(): string;
  arch(): string;
  totalMemoryBytes(): number;
  /** Free bytes for an unprivileged user on the filesystem holding `path` (its nearest existing parent). */
  freeDiskBytes(path: string): number;
  /** The installed version of an OS package, or null when it is not installed. */
  packageVersion(name: string): Promise<string | null>;
  fileSha256(path: string): Promise<string | null>;
  run: ProcessRunner;
}

export function realProbe(run: ProcessRunner): MachineProbe {
  return {
    platform: () => platformName(process.platform),
    arch: () => architectureName(process.arch),
    totalMemoryBytes: () => os.totalmem(),
    freeDiskBytes(target) {
      let p = target;
      while (!fs.existsSync(p) && p !== '/') p = p.slice(0, p.lastIndexOf('/')) || '/';
      const s = fs.statfsSync(p);
      return s.bavail * s.bsize;
    },
    async packageVersion(name) {
      // dpkg on Debian-like systems, rpm on Red Hat-like ones; the name is one argv element.
      const dpkg = await run(['dpkg-query', '-W', '-f=${Status}\t${Version}', name], { timeoutMs: 30_000 });
      if (!dpkg.error) {
        const [status, version] = dpkg.output.split('\t');
        return dpkg.exitCode === 0 && status.endsWith(' installed') && !status.includes('not-installed') ? version.trim() : null;
      }
      const rpm = await run(['rpm', '-q', '--qf', '%{EPOCHNUM}:%{VERSION}-%{RELEASE}', name], { timeoutMs: 30_000 });
      return !rpm.error && rpm.exitCode === 0 ? rpm.output.trim().replace(/^0:/, '') : null;
    },
    async fileSha256(file) {
      // Only a regular file has a hash: /dev/zero never ends and opening a FIFO waits for a writer,
      // so the path is opened without blocking and checked on the descriptor (no race with a swap).
      let handle: fs.promises.FileHandle | undefined;
      try {
        handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        if (!(await handle.stat()).isFile()) return null;
        const hash = crypto.createHash('sha256');
        for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
        return hash.digest('hex');
      } catch {
        return null;
      } finally {
        await handle?.close();
      }
    },
    run,
  };
}


/** Null when the machine meets every installation condition, else the reason it does not. */
export async function unmetCondition(c: Conditions, probe: MachineProbe): Promise<string | null> {
  const hardware = unmetHardwareCondition(c, { platform: probe.platform(), arch: probe.arch(), totalMemoryBytes: probe.totalMemoryBytes(), freeDiskBytes: (p) => probe.freeDiskBytes(p) });
  if (hardware) return hardware;
  for (const rule of c.requires ?? []) {
    const version = await probe.packageVersion(rule.name);
    if (version === null) return `needs ${rule.name}${rule.versions ? ` ${rule.versions}` : ''}, which is not installed`;
    if (rule.versions && !satisfiesRange(version, rule.versions)) return `needs ${rule.name} ${rule.versions}, has ${version}`;
  }
  for (const rule of c.conflicts ?? []) {
    const version = await probe.packageVersion(rule.name);
    if (version !== null && (!rule.versions || satisfiesRange(version, rule.versions))) return `conflicts with ${rule.name} ${version}, which is installed`;
  }
  return null;
}

/** Whether the detection rule finds the package installed; null when the rule is `none` (unknown). */
export async function detect(d: Detection, probe: MachineProbe): Promise<boolean | null> {
  switch (d.kind) {
    case 'none':
      return null;
    case 'package': {
      const version = await probe.packageVersion(d.name);
      return version !== null && (!d.versions || satisfiesRange(version, d.versions));
    }
    case 'file': {
      // Existence only (never opened, so a device or a FIFO cannot hang it); a hash reads regular files only.
      if (!d.sha256) return fs.existsSync(d.path);
      return (await probe.fileSha256(d.path)) === d.sha256;
    }
    case 'command': {
      const result = await probe.run(d.argv, { timeoutMs: 60_000 });
      return result.exitCode !== null && d.successExitCodes.includes(result.exitCode);
    }
  }
}

