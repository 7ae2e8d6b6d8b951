#!/usr/bin/env node
// Runs the bundled relay (agent/dist, made by `npm run build`) when it is at least as new as the
// sources; otherwise the TypeScript sources through tsx, so a checkout works before any build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = path.join(root, 'agent/dist/depot-relay.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = fs.statSync(bundle).mtimeMs;
    return (
      ['agent/relay', 'agent/shared', 'lib/contract'].every((d) => newestSource(path.join(root, d)) <= built) &&
      fs.statSync(path.join(root, 'lib/format-bytes.ts')).mtimeMs <= built
    );
  } catch {
    return false;
  }
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../relay/cli.ts'));
}
process.exitCode = await main();
