/**
 * depot-pack: registers packages in a cabinet on a Depot server, lists and deletes them.
 *
 *   depot-pack --server URL --cabinet C --id ID --version V --installer KIND FILE
 *   depot-pack --server URL --cabinet C --manifest depot.json FILE
 *   depot-pack list --server URL [--cabinet C]
 *   depot-pack delete --server URL PACKAGE_UUID
 *
 * The API token comes from --token or, better (argv is visible to other users), DEPOT_TOKEN.
 * Exit codes: 0 done, 1 the server refused (its message is printed), 2 bad usage or manifest,
 * 3 the server could not be reached.
 */
import { Command, Option } from 'commander';
import { z } from 'zod';
import { requestJson, ServerError, type ClientOptions } from '../shared/http-client';
import { manifestFromOptions, UsageError } from './manifest-from-options';
import { formatBytes } from '../../lib/format-bytes';
import { uploadPackage } from './upload';

const connectionSchema = z.object({
  server: z.url({ message: '--server: expected the Depot server URL, e.g. https://depot.example.com' }),
  token: z.string({ message: '--token: expected an API token (or set DEPOT_TOKEN)' }).min(1, '--token: expected an API token (or set DEPOT_TOKEN)'),
});

function connection(opts: { server?: string; token?: string }): ClientOptions {
  const parsed = connectionSchema.safeParse({ server: opts.server ?? process.env.DEPOT_SERVER, token: opts.token ?? process.env.DEPOT_TOKEN });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

function withConnection(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'the Depot server (or DEPOT_SERVER)')
    .option('--token <token>', 'an API token (or DEPOT_TOKEN, which other users cannot see)')
    .option('--json', 'print machine-readable JSON');
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('depot-pack').description('Register, list and delete Depot packages').showHelpAfterError();

  withConnection(program.command('upload', { isDefault: true }).description('register FILE as a package in a cabinet'))
    .argument('<file>', 'the installer, script or archive')
    .requiredOption('--cabinet <name>', 'the cabinet to register the package in')
    .option('--manifest <file>', 'read the manifest from a JSON file (flags override its fields)')
    .option('--id <packageId>', 'package ID, e.g. firefox-esr')
    .option('--version <version>', 'version, e.g. 128.5.0')
    .option('--generation <n>', 'generation (default: the next free one)')
    .addOption(new Option('--installer <kind>', 'installer kind').choices(['deb', 'rpm', 'msi', 'pkg', 'exe', 'script', 'archive']))
    .option('--name <displayName>', 'display name')
    .option('--description <text>', 'description')
    .option('--publisher <text>', 'publisher')
    .option('--category <text>', 'category')
    .option('--install-arg <arg>', 'one install argument; repeat for each ({file} is the downloaded file)', collect)
    .option('--uninstall-arg <arg>', 'one uninstall argument; repeat for each', collect)
    .option('--self-service', 'may be offered to end users')
    .option('--expires <iso-date>', 'no new job may use it after this date-time')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts) => {
      const conn = connection(opts);
      const manifest = manifestFromOptions(opts, file);
      const pkg = await uploadPackage({ ...conn, cabinet: opts.cabinet, manifest, file, progress: opts.progress && !opts.json });
      if (opts.json) console.log(JSON.stringify(pkg));
      else console.log(`Registered ${pkg.cabinet}/${pkg.packageId} ${pkg.version} generation ${pkg.generation} (${formatBytes(pkg.size)}, sha256 ${pkg.sha256})\nPackage id: ${pkg.id}`);
    });

  withConnection(program.command('list').description('list packages'))
    .option('--cabinet <name>', 'only this cabinet')
    .action(async (opts) => {
      const conn = connection(opts);
      const query = new URLSearchParams({ pageSize: '200', ...(opts.cabinet ? { cabinet: opts.cabinet } : {}) });
      const page = await requestJson<{ packages: { id: string; cabinet: string; packageId: string; version: string; generation: number; size: number; installerKind: string }[]; total: number }>(conn, 'GET', `/api/packages?${query}`);
      if (opts.json) return console.log(JSON.stringify(page.packages));
      if (page.packages.length === 0) return console.log('No packages.');
      for (const p of page.packages) {
        console.log(`${p.id}  ${`${p.cabinet}/${p.packageId}`.padEnd(36)} ${p.version.padEnd(14)} gen ${String(p.generation).padEnd(3)} ${p.installerKind.padEnd(7)} ${formatBytes(p.size)}`);
      }
      if (page.total > page.packages.length) console.log(`… and ${page.total - page.packages.length} more`);
    });

  withConnection(program.command('delete').description('delete a package (its content goes when no other package uses it)'))
    .argument('<packageUuid>', 'the package id shown by list')
    .action(async (id: string, opts) => {
      const conn = connection(opts);
      await requestJson(conn, 'DELETE', `/api/packages/${encodeURIComponent(id)}`);
      console.log(opts.json ? JSON.stringify({ deleted: id }) : `Deleted package ${id}.`);
    });

  return program;
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`depot-pack: ${error.message}`);
      return 2;
    }
    if (error instanceof ServerError) {
      console.error(`depot-pack: refused by the server: ${error.message}`);
      return 1;
    }
    console.error(`depot-pack: ${(error as Error).message}`);
    return 3;
  }
}
