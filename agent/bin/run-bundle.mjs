// Runs a bundled tool (agent/dist, made by `npm run build`) when it is at least as new as its
// sources; otherwise the TypeScript sources through tsx, so a checkout works before any build.
// Shared by the depot-agent and depot-relay launchers.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The newest .ts file under a folder (or the file itself); tests are not in the bundle. */
function newestSource(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
    const child = path.join(p, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(child));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(child).mtimeMs);
  }
  return newest;
}

function isFresh(bundle, sources) {
  try {
    const built = fs.statSync(bundle).mtimeMs;
    return sources.every((s) => newestSource(path.join(root, s)) <= built);
  } catch {
    return false;
  }
}

/**
 * @param {string} name the bundle's name in agent/dist (depot-agent)
 * @param {string[]} sources folders and files (from the project root) the bundle is built from
 * @param {string} entry the TypeScript entry (from the project root) exporting main()
 */
export async function runBundle(name, sources, entry) {
  const bundle = path.join(root, 'agent/dist', `${name}.js`);
  let main;
  if (isFresh(bundle, sources)) {
    ({ main } = await import(bundle));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import(path.join(root, entry)));
  }
  process.exitCode = await main();
}
