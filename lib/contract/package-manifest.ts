/**
 * The package manifest: a package's installation information, validated the same way by the
 * server, depot-pack and the agent. This file imports only zod (the agent imports it too).
 *
 * Argument vectors are arrays, never shell strings. In them the agent replaces `{file}` with the
 * downloaded file's path and `{dir}` with the archive's extraction folder; nothing else is
 * interpreted.
 */
import { z } from 'zod';

export const INSTALLER_KINDS = ['deb', 'rpm', 'msi', 'pkg', 'exe', 'script', 'archive'] as const;
export const PLATFORMS = ['linux', 'windows', 'macos'] as const;
export const ARCHITECTURES = ['x64', 'arm64', 'x86', 'arm'] as const;
export const REBOOT_BEHAVIOURS = ['never', 'if-required', 'always'] as const;

// Control characters have no business in names and would garble logs and terminals.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f]/;

const text = (max: number) =>
  z
    .string({ message: 'expected text' })
    .max(max, `expected at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'expected no control characters');

export const identifierPattern = /^[A-Za-z0-9._-]{1,64}$/;
export const identifierSchema = (what: string) =>
  z
    .string({ message: `expected a ${what}` })
    .regex(identifierPattern, `expected 1-64 letters, digits, dots, underscores or hyphens`)
    .refine((s) => s !== '.' && s !== '..', `expected a ${what} other than "." or ".."`);

export const packageIdSchema = identifierSchema('package ID');

export const versionSchema = z
  .string({ message: 'expected a version such as 1.2.3' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9.+~:_-]{0,63}$/, 'expected a version such as 1.2.3 (letters, digits and . + ~ : _ -, at most 64)');

// ">=1.2 <2", "=3.0", "1.4": comparators separated by spaces, all of which must hold.
export const versionRangeSchema = z
  .string({ message: 'expected a version range such as ">=1.2 <2"' })
  .max(200, 'expected at most 200 characters')
  // One bare version ("1.4"), or comparators that each carry an operator (">=1.2 <2").
  .regex(
    /^(?:(?:>=|<=|>|<|=)?\d[A-Za-z0-9.+~:_-]*|(?:>=|<=|>|<|=)\d[A-Za-z0-9.+~:_-]*(?: +(?:>=|<=|>|<|=)\d[A-Za-z0-9.+~:_-]*)+)$/,
    'expected a version range such as ">=1.2 <2"',
  );

const argSchema = z
  .string({ message: 'expected a string argument' })
  .min(1, 'expected a non-empty argument')
  .max(4096, 'expected at most 4096 characters')
  .refine((s) => !CONTROL.test(s), 'expected no control characters');

export const argvSchema = z
  .array(argSchema, { message: 'expected an array of arguments such as ["dpkg", "-i", "{file}"] (never one shell string)' })
  .min(1, 'expected at least the program to run')
  .max(128, 'expected at most 128 arguments');

const absolutePath = z
  .string({ message: 'expected an absolute path' })
  .max(4096, 'expected at most 4096 characters')
  .refine((s) => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s), 'expected an absolute path')
  .refine((s) => !s.split(/[\\/]/).includes('..'), 'expected a path without ".."')
  .refine((s) => !CONTROL.test(s), 'expected no control characters');

const exitCodes = z
  .array(z.number({ message: 'expected a whole number' }).int('expected a whole number'), { message: 'expected a list of exit codes' })
  .min(1, 'expected at least one exit code')
  .max(32, 'expected at most 32 exit codes');

const softwareRule = z
  .object({ name: text(200).pipe(z.string().min(1, 'expected a software name')), versions: versionRangeSchema.optional() })
  .strict();

export const conditionsSchema = z
  .object({
    platforms: z.array(z.enum(PLATFORMS, { message: `expected one of ${PLATFORMS.join(', ')}` })).max(3).optional(),
    architectures: z.array(z.enum(ARCHITECTURES, { message: `expected one of ${ARCHITECTURES.join(', ')}` })).max(4).optional(),
    minFreeDisk: z
      .object({ path: absolutePath, mib: z.number({ message: 'expected MiB as a number' }).int().positive('expected a positive number of MiB') })
      .strict()
      .optional(),
    minMemoryMiB: z.number({ message: 'expected MiB as a number' }).int().positive('expected a positive number of MiB').optional(),
    requires: z.array(softwareRule).max(32).optional(),
    conflicts: z.array(softwareRule).max(32).optional(),
  })
  .strict();

export const detectionSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('none') }).strict(),
    // An OS package (dpkg, rpm, Windows/macOS installed programs) of this name, optionally in a range.
    z.object({ kind: z.literal('package'), name: text(200).pipe(z.string().min(1, 'expected a package name')), versions: versionRangeSchema.optional() }).strict(),
    z.object({ kind: z.literal('file'), path: absolutePath, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits').optional() }).strict(),
    z.object({ kind: z.literal('command'), argv: argvSchema, successExitCodes: exitCodes.default([0]) }).strict(),
  ],
  { message: 'expected a detection rule with kind none, package, file or command' },
);

const DEFAULT_INSTALL: Partial<Record<(typeof INSTALLER_KINDS)[number], string[]>> = {
  deb: ['dpkg', '-i', '{file}'],
  rpm: ['rpm', '-U', '--replacepkgs', '{file}'],
  msi: ['msiexec', '/i', '{file}', '/qn', '/norestart'],
  pkg: ['installer', '-pkg', '{file}', '-target', '/'],
  script: ['{file}'],
};

export const installerSchema = z
  .object({
    kind: z.enum(INSTALLER_KINDS, { message: `expected one of ${INSTALLER_KINDS.join(', ')}` }),
    install: argvSchema.optional(),
    uninstall: argvSchema.optional(),
    successExitCodes: exitCodes.default([0]),
    timeoutSeconds: z
      .number({ message: 'expected seconds as a number' })
      .int('expected whole seconds')
      .min(1, 'expected 1 to 86400 seconds')
      .max(86_400, 'expected 1 to 86400 seconds')
      .default(3600),
    reboot: z.enum(REBOOT_BEHAVIOURS, { message: `expected one of ${REBOOT_BEHAVIOURS.join(', ')}` }).default('never'),
    /** archive: where its content is extracted (absolute). */
    extractTo: absolutePath.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'exe' && !v.install) ctx.addIssue({ code: 'custom', path: ['install'], message: 'expected the install arguments for an exe installer, e.g. ["{file}", "/S"]' });
    if (v.kind === 'archive' && !v.extractTo) ctx.addIssue({ code: 'custom', path: ['extractTo'], message: 'expected the absolute folder an archive is extracted to' });
    if (v.kind !== 'archive' && v.extractTo) ctx.addIssue({ code: 'custom', path: ['extractTo'], message: 'expected extractTo only for archive installers' });
  })
  .transform((v) => ({ ...v, install: v.install ?? DEFAULT_INSTALL[v.kind] }));

export const packageManifestSchema = z
  .object({
    packageId: packageIdSchema,
    displayName: text(200).pipe(z.string().trim().min(1, 'expected a display name')),
    version: versionSchema,
    generation: z.number({ message: 'expected a positive whole number' }).int('expected a positive whole number').positive('expected a positive whole number').optional(),
    description: z
      .string({ message: 'expected text' })
      .max(4000, 'expected at most 4000 characters')
      .refine((s) => !CONTROL_EXCEPT_NEWLINE_TAB.test(s), 'expected no control characters')
      .default(''),
    publisher: text(200).default(''),
    category: text(100).default(''),
    installer: installerSchema,
    conditions: conditionsSchema.default({}),
    detection: detectionSchema.default({ kind: 'none' }),
    selfService: z.boolean({ message: 'expected true or false' }).default(false),
    expiresAt: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time such as 2027-06-30T00:00:00Z' }).optional(),
  })
  .strict();

export type PackageManifestInput = z.input<typeof packageManifestSchema>;
export type PackageManifest = z.output<typeof packageManifestSchema>;

export const sha256Schema = z.string({ message: 'expected a SHA-256' }).regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');
