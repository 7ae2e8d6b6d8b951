// Builds depot-relay's sendfile module (sendfile.c → build/sendfile.node) with the system's C
// compiler against the running Node's own headers: no node-gyp, no download. Linux only.
//
//   node agent/relay/native/build.mjs             fails (exit 1) with the reason
//   node agent/relay/native/build.mjs --optional  warns and exits 0 (npm's postinstall: a machine
//                                                 without a compiler still installs; the relay then
//                                                 serves through JavaScript, and says so at start)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'sendfile.c');
const output = path.join(here, 'build', 'sendfile.node');
const optional = process.argv.includes('--optional');

function headerDirs() {
  const dirs = [path.resolve(path.dirname(process.execPath), '../include/node')];
  if (process.env.npm_config_nodedir) dirs.push(path.join(process.env.npm_config_nodedir, 'include/node'));
  return dirs;
}

function build() {
  if (process.platform !== 'linux') return `sendfile.c is for Linux; on ${process.platform} the relay serves through JavaScript`;
  const include = headerDirs().find((d) => fs.existsSync(path.join(d, 'node_api.h')));
  if (!include) return `Node's headers (node_api.h) were not found in ${headerDirs().join(' or ')}; install Node with its headers`;
  // CC may carry words of its own ("ccache gcc", "gcc -m32").
  const [compiler, ...ccArgs] = (process.env.CC || 'cc').trim().split(/\s+/);
  // Into a temporary name first: a relay starting meanwhile never loads half a file.
  const tmp = `${output}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
    // -z nodelete: the module's threads outlive any one JavaScript environment (see sendfile.c).
    const args = [...ccArgs, '-O2', '-Wall', '-shared', '-fPIC', '-pthread', '-Wl,-z,nodelete', `-I${include}`, source, '-o', tmp, '-lm'];
    execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    fs.renameSync(tmp, output);
    return null;
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    if (error.code === 'ENOENT' && error.path === compiler) return `no C compiler (${compiler}) was found; apt-get install -y gcc`;
    return error.status !== undefined ? `${compiler} failed to compile sendfile.c` : `${error.message}`;
  }
}

const failure = build();
if (failure) {
  const message = `depot-relay's sendfile module was not built: ${failure}. The relay still works, serving cached files through JavaScript at about half the speed.`;
  if (!optional) {
    console.error(message);
    process.exit(1);
  }
  console.warn(`warning: ${message} Build it later with: npm run build:native`);
}
