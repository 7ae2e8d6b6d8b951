import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, parseServerEnv } from './env';

function problems(source: Record<string, string>): string[] {
  try {
    parseServerEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error('expected the environment to be refused');
}

describe('parseServerEnv', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const env = parseServerEnv({});
    expect(env.port).toBe(3000);
    expect(env.host).toBe('0.0.0.0');
    expect(env.databaseUrl).toBeUndefined();
    expect(env.dataDir).toBe(path.resolve('./.depot'));
    expect(env.seedDemo).toBe(true);
    expect(env.nodeEnv).toBe('production');
  });

  it('does not seed demo data on PostgreSQL unless asked', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/depot';
    const secret = 'x'.repeat(32);
    expect(parseServerEnv({ DATABASE_URL: url, NEXTAUTH_SECRET: secret }).seedDemo).toBe(false);
    expect(parseServerEnv({ DATABASE_URL: url, NEXTAUTH_SECRET: secret, DEPOT_SEED_DEMO: '1' }).seedDemo).toBe(true);
  });

  it('requires NEXTAUTH_SECRET on PostgreSQL, except for tools that sign no session', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/depot';
    expect(problems({ DATABASE_URL: url })).toEqual([expect.stringMatching(/^NEXTAUTH_SECRET: required with DATABASE_URL/)]);
    expect(parseServerEnv({ DATABASE_URL: url }, { signsSessions: false }).databaseUrl).toBe(url);
    expect(parseServerEnv({}).nextAuthSecret).toBeUndefined();
  });

  it('reads DEPOT_TRUSTED_PROXIES as addresses and CIDR ranges, naming a bad entry', () => {
    expect(parseServerEnv({}).trustedProxies).toEqual([]);
    expect(parseServerEnv({ DEPOT_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1' }).trustedProxies).toEqual([
      { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '::1', prefix: 128, family: 'ipv6' },
    ]);
    expect(problems({ DEPOT_TRUSTED_PROXIES: '10.0.0.0/33' })[0]).toMatch(/^DEPOT_TRUSTED_PROXIES: "10.0.0.0\/33" is not an IP address or CIDR range/);
    expect(problems({ DEPOT_TRUSTED_PROXIES: 'proxy.example.com' })[0]).toMatch(/^DEPOT_TRUSTED_PROXIES: "proxy.example.com" is not/);
  });

  it('reads the package size limit with units', () => {
    expect(parseServerEnv({}).maxPackageBytes).toBe(8 * 1024 ** 3);
    expect(parseServerEnv({ DEPOT_MAX_PACKAGE_SIZE: '500MiB' }).maxPackageBytes).toBe(500 * 1024 ** 2);
    expect(parseServerEnv({ DEPOT_MAX_PACKAGE_SIZE: '1.5 GiB' }).maxPackageBytes).toBe(1.5 * 1024 ** 3);
    expect(parseServerEnv({ DEPOT_MAX_PACKAGE_SIZE: '4096' }).maxPackageBytes).toBe(4096);
    expect(problems({ DEPOT_MAX_PACKAGE_SIZE: 'huge' })[0]).toMatch(/^DEPOT_MAX_PACKAGE_SIZE: expected a size such as 8GiB/);
  });

  it('treats empty variables as unset', () => {
    expect(parseServerEnv({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });

  it('names the variable and what was expected', () => {
    expect(problems({ PORT: 'eighty' })).toEqual(['PORT: expected a port number (got "eighty")']);
    expect(problems({ PORT: '70000' })[0]).toMatch(/^PORT: expected a port from 0 to 65535/);
    expect(problems({ DATABASE_URL: 'mysql://x@y/z' })[0]).toMatch(/^DATABASE_URL: expected a URL starting with postgres:\/\//);
    expect(problems({ DEPOT_SEED_DEMO: 'maybe' })[0]).toMatch(/^DEPOT_SEED_DEMO: expected 1\/0, true\/false or yes\/no/);
    expect(problems({ NEXTAUTH_SECRET: 'short' })[0]).toMatch(/^NEXTAUTH_SECRET: expected at least 32 characters/);
  });

  it('never echoes secrets or URLs that may carry passwords', () => {
    const [problem] = problems({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problem).not.toContain('hunter2');
  });

  it('reports every problem at once', () => {
    expect(problems({ PORT: 'x', DEPOT_SEED_DEMO: 'x' })).toHaveLength(2);
  });

  it('checks fields against each other', () => {
    expect(problems({ DEPOT_PUBLIC_URL: 'https://depot.example.com', NEXTAUTH_URL: 'https://other.example.com' })[0]).toMatch(
      /^NEXTAUTH_URL: must have the same origin as DEPOT_PUBLIC_URL/,
    );
    expect(problems({ DEPOT_PUBLIC_URL: 'https://example.com/depot' })[0]).toMatch(/^DEPOT_PUBLIC_URL: expected an origin without a path/);
  });
});
