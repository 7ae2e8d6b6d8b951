import { describe, expect, it } from 'vitest';
import { packageManifestSchema } from './package-manifest';

const base = { packageId: 'firefox-esr', displayName: 'Firefox ESR', version: '128.5.0esr', installer: { kind: 'deb' } };

function problem(input: unknown): { path: string; message: string } {
  const result = packageManifestSchema.safeParse(input);
  if (result.success) throw new Error('expected the manifest to be refused');
  const [issue] = result.error.issues;
  return { path: issue.path.join('.'), message: issue.message };
}

describe('packageManifestSchema', () => {
  it('fills defaults and the installer kind’s usual install command', () => {
    const m = packageManifestSchema.parse(base);
    expect(m.installer).toEqual({ kind: 'deb', install: ['dpkg', '-i', '{file}'], successExitCodes: [0], timeoutSeconds: 3600, reboot: 'never' });
    expect(m.detection).toEqual({ kind: 'none' });
    expect(m.conditions).toEqual({});
    expect(m.selfService).toBe(false);
  });

  it('keeps a full manifest as given', () => {
    const full = {
      ...base,
      generation: 2,
      description: 'Browser.\nLong-term support.',
      publisher: 'Mozilla',
      category: 'Browsers',
      installer: { kind: 'exe', install: ['{file}', '/S'], uninstall: ['C:\\Program Files\\Firefox\\uninstall.exe', '/S'], successExitCodes: [0, 3010], timeoutSeconds: 600, reboot: 'if-required' },
      conditions: {
        platforms: ['windows'],
        architectures: ['x64'],
        minFreeDisk: { path: 'C:\\', mib: 500 },
        minMemoryMiB: 2048,
        requires: [{ name: 'vcredist', versions: '>=14.0 <15' }],
        conflicts: [{ name: 'firefox' }],
      },
      detection: { kind: 'command', argv: ['reg', 'query', 'HKLM\\Software\\Mozilla'], successExitCodes: [0] },
      selfService: true,
      expiresAt: '2027-06-30T00:00:00Z',
    };
    expect(packageManifestSchema.parse(full)).toEqual(full);
  });

  it.each([
    [{ ...base, packageId: '../etc/passwd' }, 'packageId', /letters, digits, dots/],
    [{ ...base, packageId: '..' }, 'packageId', /other than/],
    [{ ...base, packageId: 'a;rm -rf /' }, 'packageId', /letters, digits/],
    [{ ...base, packageId: 'x'.repeat(65) }, 'packageId', /1-64/],
    [{ ...base, displayName: 'Fire\u0007fox' }, 'displayName', /control characters/],
    [{ ...base, version: '' }, 'version', /expected a version/],
    [{ ...base, generation: 0 }, 'generation', /positive whole number/],
    [{ ...base, installer: { kind: 'zip' } }, 'installer.kind', /expected one of deb, rpm/],
    [{ ...base, installer: { kind: 'deb', install: 'dpkg -i {file}' } }, 'installer.install', /never one shell string/],
    [{ ...base, installer: { kind: 'exe' } }, 'installer.install', /install arguments for an exe/],
    [{ ...base, installer: { kind: 'archive' } }, 'installer.extractTo', /absolute folder/],
    [{ ...base, installer: { kind: 'archive', extractTo: '/opt/../etc' } }, 'installer.extractTo', /without "\.\."/],
    [{ ...base, installer: { kind: 'deb', timeoutSeconds: 0 } }, 'installer.timeoutSeconds', /1 to 86400/],
    [{ ...base, conditions: { platforms: ['beos'] } }, 'conditions.platforms.0', /expected one of linux/],
    [{ ...base, conditions: { requires: [{ name: 'libc', versions: 'newest please' }] } }, 'conditions.requires.0.versions', /version range/],
    [{ ...base, detection: { kind: 'registry' } }, 'detection.kind', /detection rule/],
    [{ ...base, detection: { kind: 'file', path: 'relative/path' } }, 'detection.path', /absolute path/],
    [{ ...base, expiresAt: 'next tuesday' }, 'expiresAt', /ISO 8601/],
    [{ ...base, owner: 'me' }, '', /Unrecognized key/],
  ])('refuses %j at %s', (input, path, message) => {
    const p = problem(input);
    expect(p.path).toBe(path);
    expect(p.message).toMatch(message);
  });
});
