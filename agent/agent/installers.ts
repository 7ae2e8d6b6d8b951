import fs from 'node:fs';
import type { PlanPackage } from '../../lib/contract/agent-api';
import { z } from 'zod';
import { DEFAULT_EXTRACT_RATIO, extractArchive } from './extract-archive';

/**
 * The argv an installer kind runs, with `{file}` (the verified download) and `{dir}` (an
 * archive's extraction folder) replaced as whole-argument substitutions inside array elements.
 * Nothing here ever becomes a shell string.
 */
export function substitute(argv: readonly string[], vars: { file: string; dir?: string }): string[] {
  return argv.map((arg) => arg.replaceAll('{file}', vars.file).replaceAll('{dir}', vars.dir ?? ''));
}

/** What to run to uninstall: the manifest's argv, else the package manager's own removal for deb and rpm. */
export function uninstallArgv(pkg: PlanPackage): string[] | null {
  if (pkg.installer.uninstall) return pkg.installer.uninstall;
  const name = pkg.detection.kind === 'package' ? pkg.detection.name : null;
  if (!name) return null;
  if (pkg.installer.kind === 'deb') return ['dpkg', '--remove', name];
  if (pkg.installer.kind === 'rpm') return ['rpm', '-e', name];
  return null;
}

export interface PreparedInstall {
  /** null: nothing more to run (an archive without an install command is installed by extraction). */
  argv: string[] | null;
  note?: string;
}

/**
 * How many times its own size an archive may extract to: DEPOT_AGENT_EXTRACT_RATIO (a positive
 * number), else DEFAULT_EXTRACT_RATIO.
 */
export function extractRatio(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = z.coerce.number().positive().finite().safeParse(env.DEPOT_AGENT_EXTRACT_RATIO);
  if (env.DEPOT_AGENT_EXTRACT_RATIO === undefined) return DEFAULT_EXTRACT_RATIO;
  if (!parsed.success) throw new Error(`DEPOT_AGENT_EXTRACT_RATIO: expected a positive number, got "${env.DEPOT_AGENT_EXTRACT_RATIO}"`);
  return parsed.data;
}

/** Gets the verified file ready for its installer kind, and says what to run. */
export async function prepareInstall(pkg: PlanPackage, file: string): Promise<PreparedInstall> {
  const { installer } = pkg;
  if (installer.kind === 'script') fs.chmodSync(file, 0o700);
  if (installer.kind === 'archive') {
    const dir = installer.extractTo!;
    const counts = await extractArchive(file, dir, { maxBytes: extractRatio() * pkg.size });
    const note = `extracted ${counts.files} file(s), ${counts.directories} folder(s) and ${counts.links} link(s) to ${dir}`;
    return { argv: installer.install ? substitute(installer.install, { file, dir }) : null, note };
  }
  if (!installer.install) throw new Error(`no install command for a ${installer.kind} installer`);
  return { argv: substitute(installer.install, { file }) };
}

// What an installer may see of the agent's environment. Nothing else passes: the agent's own
// settings (an enrolment secret in DEPOT_ENROLMENT_SECRET, say) are not third-party business.
const PASSED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];

/** Environment for installers: a short allow-list, and no prompts from package managers. */
export function installerEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSED) if (from[key] !== undefined) env[key] = from[key];
  return { ...env, PATH: from.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive' };
}
