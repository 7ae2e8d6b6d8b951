/**
 * `npm start`: checks that the data folder is free, builds when the build is missing or older
 * than the sources, then runs server.ts. The check comes first because a build rewrites .next
 * under a server that may already be running from it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataDirInUseError, findDataDirHolder } from '@/db/pglite-lock';
import { EnvError, parseServerEnv } from '@/lib/env';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['app', 'lib', 'db', 'proxy.ts', 'next.config.ts', 'postcss.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newestSource(entry: string): number {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(full).map((name) => newestSource(path.join(entry, name))));
}

function buildIsCurrent(): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.every((entry) => newestSource(entry) <= built);
}

try {
  const env = parseServerEnv(process.env);
  if (!env.databaseUrl) {
    const holder = findDataDirHolder(env.dataDir);
    if (holder) throw new DataDirInUseError(env.dataDir, holder);
  }
  if (!buildIsCurrent()) {
    console.log('Building Depot (first start, or the sources changed)…');
    const build = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
} catch (error) {
  if (error instanceof EnvError || error instanceof DataDirInUseError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
await import('../server');
