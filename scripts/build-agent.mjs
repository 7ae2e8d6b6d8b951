// Bundles depot-agent and depot-relay into agent/dist (one file each, plus shared chunks and a
// lazily loaded chunk for systeminformation),
// so a managed machine runs plain JavaScript: no TypeScript loader thread, no per-file module
// resolution. Measured on the idle daemon: 94 MiB resident through tsx, see bench/agent-idle.ts.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

fs.rmSync('agent/dist', { recursive: true, force: true });
await build({
  entryPoints: { 'depot-agent': 'agent/agent/cli.ts', 'depot-relay': 'agent/relay/cli.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  outdir: 'agent/dist',
  alias: { '@': '.' },
  // Bundled CommonJS dependencies call require(); ESM output needs one made for them.
  banner: { js: "import { createRequire as __depotCreateRequire } from 'node:module'; const require = __depotCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// depot-relay's sendfile module, rebuilt with the bundles so it never lags behind sendfile.c.
// Optional here (a machine without a C compiler still builds the server); the relay's tests fail
// on Linux without it, saying how to build it.
execFileSync(process.execPath, ['agent/relay/native/build.mjs', '--optional'], { stdio: 'inherit' });
